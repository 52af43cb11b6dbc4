//! A compact, versioned binary encoding of an [`Extract`], so a store can keep it as one blob.
//!
//! Layout (little-endian): the magic `H2HREC\0\0`, a `u32` version, the area table, the client
//! count, the unrecognised substances and outcome labels, a byte of which tables are present,
//! then each present table as its row count and its columns one after another (dates as 16-bit
//! offsets from the column's earliest, booleans eight to a byte); last, an xxh3-64 checksum of
//! everything before it. Decoding checks the checksum, every length, and
//! every value against the model's rules (vocabulary codes, area and row indexes), so a
//! corrupt blob is an error, never a panic or an extract that could make one.

use h2h_domain::AreaCode;
use xxhash_rust::xxh3::xxh3_64;

use crate::date::NO_DATE;
use crate::model::*;

const MAGIC: &[u8; 8] = b"H2HREC\0\0";
/// The encoding's version; [`Extract::from_bytes`] reads this version only.
pub const VERSION: u32 = 1;

/// Why bytes are not an encoded extract.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodecError {
    /// The bytes do not start with the magic.
    #[error("not an encoded extract (wrong magic)")]
    Magic,
    /// Written by another version of the encoding.
    #[error("encoded extract version {0}, this build reads version {VERSION}")]
    Version(u32),
    /// The checksum does not match: the blob is damaged.
    #[error("the encoded extract is damaged (checksum mismatch)")]
    Checksum,
    /// The bytes end before the data they announce.
    #[error("the encoded extract is truncated")]
    Truncated,
    /// A value breaks the model's rules.
    #[error("the encoded extract holds an invalid value: {0}")]
    Invalid(&'static str),
}

struct Out(Vec<u8>);

impl Out {
    fn u8s(&mut self, v: &[u8]) {
        self.0.extend_from_slice(v);
    }
    /// Eight booleans to a byte.
    fn bools(&mut self, v: &[bool]) {
        self.0.extend(v.chunks(8).map(|c| {
            c.iter()
                .enumerate()
                .fold(0u8, |byte, (i, &b)| byte | (u8::from(b) << i))
        }));
    }
    /// A date column: as offsets of 16 bits from its earliest date when its dates span less
    /// than 179 years (always, in practice), else as whole day numbers.
    fn dates(&mut self, v: &[i32]) {
        let real = v.iter().copied().filter(|&d| d != NO_DATE);
        let (lo, hi) = real.fold((i32::MAX, i32::MIN), |(lo, hi), d| (lo.min(d), hi.max(d)));
        let narrow = v.is_empty() || lo > hi || i64::from(hi) - i64::from(lo) < i64::from(u16::MAX);
        if narrow {
            let base = if lo > hi { 0 } else { lo };
            self.0.push(1);
            self.0.extend_from_slice(&base.to_le_bytes());
            self.0.reserve(v.len() * 2);
            for &d in v {
                let x = if d == NO_DATE {
                    u16::MAX
                } else {
                    (d - base) as u16
                };
                self.0.extend_from_slice(&x.to_le_bytes());
            }
        } else {
            self.0.push(0);
            self.i32s(v);
        }
    }
    fn u16s(&mut self, v: &[u16]) {
        self.0.reserve(v.len() * 2);
        for x in v {
            self.0.extend_from_slice(&x.to_le_bytes());
        }
    }
    fn u32s(&mut self, v: &[u32]) {
        self.0.reserve(v.len() * 4);
        for x in v {
            self.0.extend_from_slice(&x.to_le_bytes());
        }
    }
    fn i32s(&mut self, v: &[i32]) {
        self.0.reserve(v.len() * 4);
        for x in v {
            self.0.extend_from_slice(&x.to_le_bytes());
        }
    }
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn strings<'a>(&mut self, v: impl ExactSizeIterator<Item = &'a str>) {
        self.u64(v.len() as u64);
        for s in v {
            self.u64(s.len() as u64);
            self.0.extend_from_slice(s.as_bytes());
        }
    }
}

struct In<'a>(&'a [u8]);

impl<'a> In<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], CodecError> {
        if n > self.0.len() {
            return Err(CodecError::Truncated);
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }
    fn u32(&mut self) -> Result<u32, CodecError> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes(
            b.try_into().map_err(|_| CodecError::Truncated)?,
        ))
    }
    fn u64(&mut self) -> Result<u64, CodecError> {
        let b = self.take(8)?;
        Ok(u64::from_le_bytes(
            b.try_into().map_err(|_| CodecError::Truncated)?,
        ))
    }
    fn len(&mut self) -> Result<usize, CodecError> {
        usize::try_from(self.u64()?).map_err(|_| CodecError::Truncated)
    }
    fn bytes_of(&mut self, n: usize, width: usize) -> Result<&'a [u8], CodecError> {
        self.take(n.checked_mul(width).ok_or(CodecError::Truncated)?)
    }
    fn u8s(&mut self, n: usize) -> Result<Vec<u8>, CodecError> {
        Ok(self.take(n)?.to_vec())
    }
    fn bools(&mut self, n: usize) -> Result<Vec<bool>, CodecError> {
        let bytes = self.take(n.div_ceil(8))?;
        Ok((0..n)
            .map(|i| bytes.get(i / 8).is_some_and(|b| b >> (i % 8) & 1 == 1))
            .collect())
    }
    fn dates(&mut self, n: usize) -> Result<Vec<i32>, CodecError> {
        match self.take(1)?.first() {
            Some(1) => {
                let b = self.take(4)?;
                let base = i32::from_le_bytes(b.try_into().map_err(|_| CodecError::Truncated)?);
                let v = self.u16s(n)?;
                v.into_iter()
                    .map(|x| {
                        if x == u16::MAX {
                            Ok(NO_DATE)
                        } else {
                            base.checked_add(i32::from(x))
                                .ok_or(CodecError::Invalid("a date"))
                        }
                    })
                    .collect()
            }
            Some(0) => self.i32s(n),
            _ => Err(CodecError::Invalid("a date column's form")),
        }
    }
    fn u16s(&mut self, n: usize) -> Result<Vec<u16>, CodecError> {
        Ok(self
            .bytes_of(n, 2)?
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect())
    }
    fn u32s(&mut self, n: usize) -> Result<Vec<u32>, CodecError> {
        Ok(self
            .bytes_of(n, 4)?
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect())
    }
    fn i32s(&mut self, n: usize) -> Result<Vec<i32>, CodecError> {
        Ok(self
            .bytes_of(n, 4)?
            .chunks_exact(4)
            .map(|c| i32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect())
    }
    fn strings(&mut self) -> Result<Vec<String>, CodecError> {
        let n = self.len()?;
        let mut out = Vec::with_capacity(n.min(self.0.len() / 8));
        for _ in 0..n {
            let len = self.len()?;
            let s = std::str::from_utf8(self.take(len)?)
                .map_err(|_| CodecError::Invalid("a text is not UTF-8"))?;
            out.push(s.to_owned());
        }
        Ok(out)
    }
}

fn check(ok: bool, what: &'static str) -> Result<(), CodecError> {
    if ok {
        Ok(())
    } else {
        Err(CodecError::Invalid(what))
    }
}

impl Extract {
    /// The extract in the binary encoding (see the module documentation).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut o = Out(Vec::with_capacity(64 + self.total_rows() * 14));
        o.u8s(MAGIC);
        o.u32(VERSION);
        o.strings(self.areas.iter().map(AreaCode::as_str));
        o.u32(self.clients);
        o.strings(self.unrecognised_substances.iter().map(String::as_str));
        o.strings(self.outcome_labels.iter().map(String::as_str));
        let mut mask = 0u8;
        for (i, f) in FileKind::ALL.iter().enumerate() {
            if self.present(*f) {
                mask |= 1 << i;
            }
        }
        o.u8s(&[mask]);
        if let Some(t) = &self.referrals {
            o.u64(t.date.len() as u64);
            o.u32s(&t.client);
            o.dates(&t.date);
            o.u8s(&t.source);
            o.u16s(&t.area);
        }
        if let Some(t) = &self.drug_tests {
            o.u64(t.date.len() as u64);
            o.u32s(&t.client);
            o.dates(&t.date);
            o.u8s(&t.basis);
            o.u8s(&t.result);
            o.u16s(&t.area);
        }
        if let Some(t) = &self.assessments {
            o.u64(t.date.len() as u64);
            o.u32s(&t.client);
            o.dates(&t.date);
            o.u8s(&t.kind);
            o.u16s(&t.area);
        }
        if let Some(t) = &self.episodes {
            o.u64(t.care_plan.len() as u64);
            o.u32s(&t.client);
            o.u32s(&t.referral);
            o.u16s(&t.area);
            o.dates(&t.care_plan);
            o.dates(&t.treatment_start);
            o.bools(&t.prescribed);
            o.bools(&t.iom);
            o.dates(&t.closure);
            o.u8s(&t.reason);
        }
        if let Some(t) = &self.substances {
            o.u64(t.rank.len() as u64);
            o.u32s(&t.referral);
            o.u32s(&t.client);
            o.u8s(&t.rank);
            o.u16s(&t.substance);
        }
        if let Some(t) = &self.brief_interventions {
            o.u64(t.date.len() as u64);
            o.dates(&t.date);
            o.u16s(&t.area);
            o.u8s(&t.setting);
            o.u8s(&t.signposted);
        }
        if let Some(t) = &self.outcome_events {
            o.u64(t.date.len() as u64);
            o.u32s(&t.client);
            o.u32s(&t.episode);
            o.dates(&t.date);
            o.u16s(&t.area);
            o.u32s(&t.outcome);
            o.bools(&t.positive);
        }
        if let Some(t) = &self.reoffending_checks {
            o.u64(t.check_date.len() as u64);
            o.u32s(&t.client);
            o.dates(&t.check_date);
            o.dates(&t.closure_date);
            o.bools(&t.arrested_since);
            o.bools(&t.arrested_6_months);
            o.u16s(&t.area);
        }
        let sum = xxh3_64(&o.0);
        o.u64(sum);
        o.0
    }

    /// Reads an extract written by [`Extract::to_bytes`]; an error for anything else.
    pub fn from_bytes(bytes: &[u8]) -> Result<Extract, CodecError> {
        if bytes.len() < MAGIC.len() + 4 + 8 || !bytes.starts_with(MAGIC) {
            return Err(CodecError::Magic);
        }
        let (body, sum) = bytes.split_at(bytes.len() - 8);
        let mut head = In(body.get(MAGIC.len()..).ok_or(CodecError::Truncated)?);
        let version = head.u32()?;
        if version != VERSION {
            return Err(CodecError::Version(version));
        }
        let sum = u64::from_le_bytes(sum.try_into().map_err(|_| CodecError::Truncated)?);
        if xxh3_64(body) != sum {
            return Err(CodecError::Checksum);
        }
        let mut r = head;
        let areas = r
            .strings()?
            .iter()
            .map(|s| AreaCode::parse(s).map_err(|_| CodecError::Invalid("an area code")))
            .collect::<Result<Vec<_>, _>>()?;
        check(areas.len() < usize::from(NO_AREA), "too many areas")?;
        let clients = r.u32()?;
        let unrecognised_substances = r.strings()?;
        let outcome_labels = r.strings()?;
        let mask = *r.take(1)?.first().ok_or(CodecError::Truncated)?;
        let has = |f: FileKind| mask & (1 << f.index()) != 0;
        let mut x = Extract {
            areas,
            clients,
            unrecognised_substances,
            outcome_labels,
            ..Extract::default()
        };
        let n_areas = x.areas.len();
        let area_ok = |v: &[u16]| v.iter().all(|&a| usize::from(a) < n_areas);
        let client_ok = |v: &[u32]| v.iter().all(|&c| c < clients);
        let below = |v: &[u8], n: u8| v.iter().all(|&b| b < n);
        if has(FileKind::Referrals) {
            let n = r.len()?;
            let t = Referrals {
                client: r.u32s(n)?,
                date: r.dates(n)?,
                source: r.u8s(n)?,
                area: r.u16s(n)?,
            };
            check(client_ok(&t.client), "a referral's client")?;
            check(
                below(&t.source, SOURCE_KEYS.len() as u8),
                "a referral source",
            )?;
            check(area_ok(&t.area), "a referral's area")?;
            x.referrals = Some(t);
        }
        if has(FileKind::DrugTests) {
            let n = r.len()?;
            let t = DrugTests {
                client: r.u32s(n)?,
                date: r.dates(n)?,
                basis: r.u8s(n)?,
                result: r.u8s(n)?,
                area: r.u16s(n)?,
            };
            check(
                t.client.iter().all(|&c| c < clients || c == NO_CLIENT),
                "a drug test's client",
            )?;
            check(below(&t.basis, BASIS_KEYS.len() as u8), "a test basis")?;
            check(below(&t.result, RESULT_KEYS.len() as u8), "a test result")?;
            check(area_ok(&t.area), "a drug test's area")?;
            x.drug_tests = Some(t);
        }
        if has(FileKind::Assessments) {
            let n = r.len()?;
            let t = Assessments {
                client: r.u32s(n)?,
                date: r.dates(n)?,
                kind: r.u8s(n)?,
                area: r.u16s(n)?,
            };
            check(client_ok(&t.client), "an assessment's client")?;
            check(below(&t.kind, KIND_KEYS.len() as u8), "an assessment kind")?;
            check(area_ok(&t.area), "an assessment's area")?;
            x.assessments = Some(t);
        }
        let referral_rows = x.referrals.as_ref().map_or(0, |t| t.date.len());
        if has(FileKind::Episodes) {
            let n = r.len()?;
            let t = Episodes {
                client: r.u32s(n)?,
                referral: r.u32s(n)?,
                area: r.u16s(n)?,
                care_plan: r.dates(n)?,
                treatment_start: r.dates(n)?,
                prescribed: r.bools(n)?,
                iom: r.bools(n)?,
                closure: r.dates(n)?,
                reason: r.u8s(n)?,
            };
            check(client_ok(&t.client), "an episode's client")?;
            check(
                t.referral
                    .iter()
                    .all(|&i| i == NO_ROW || (i as usize) < referral_rows),
                "an episode's referral",
            )?;
            check(area_ok(&t.area), "an episode's area")?;
            check(
                t.closure.iter().zip(&t.reason).all(|(&c, &r)| {
                    (c == NO_DATE) == (r == 0) && usize::from(r) <= REASON_KEYS.len()
                }),
                "a closure reason",
            )?;
            x.episodes = Some(t);
        }
        if has(FileKind::Substances) {
            let n = r.len()?;
            let t = Substances {
                referral: r.u32s(n)?,
                client: r.u32s(n)?,
                rank: r.u8s(n)?,
                substance: r.u16s(n)?,
            };
            check(
                t.referral.iter().all(|&i| (i as usize) < referral_rows),
                "a substance's referral",
            )?;
            check(client_ok(&t.client), "a substance's client")?;
            check(
                t.rank.iter().all(|r| (1..=3).contains(r)),
                "a substance rank",
            )?;
            let kinds = x.substance_count();
            check(
                t.substance.iter().all(|&s| usize::from(s) < kinds),
                "a substance",
            )?;
            x.substances = Some(t);
        }
        if has(FileKind::BriefInterventions) {
            let n = r.len()?;
            let t = BriefInterventions {
                date: r.dates(n)?,
                area: r.u16s(n)?,
                setting: r.u8s(n)?,
                signposted: r.u8s(n)?,
            };
            check(area_ok(&t.area), "a brief intervention's area")?;
            check(below(&t.setting, SETTING_KEYS.len() as u8), "a setting")?;
            check(
                below(&t.signposted, SIGNPOST_KEYS.len() as u8 + 1),
                "a signposting",
            )?;
            x.brief_interventions = Some(t);
        }
        let episode_rows = x.episodes.as_ref().map_or(0, |t| t.care_plan.len());
        if has(FileKind::OutcomeEvents) {
            let n = r.len()?;
            let t = OutcomeEvents {
                client: r.u32s(n)?,
                episode: r.u32s(n)?,
                date: r.dates(n)?,
                area: r.u16s(n)?,
                outcome: r.u32s(n)?,
                positive: r.bools(n)?,
            };
            check(client_ok(&t.client), "an outcome's client")?;
            check(
                t.episode
                    .iter()
                    .all(|&i| i == NO_ROW || (i as usize) < episode_rows),
                "an outcome's episode",
            )?;
            check(area_ok(&t.area), "an outcome's area")?;
            let labels = x.outcome_labels.len();
            check(
                t.outcome.iter().all(|&o| (o as usize) < labels),
                "an outcome label",
            )?;
            x.outcome_events = Some(t);
        }
        if has(FileKind::ReoffendingChecks) {
            let n = r.len()?;
            let t = ReoffendingChecks {
                client: r.u32s(n)?,
                check_date: r.dates(n)?,
                closure_date: r.dates(n)?,
                arrested_since: r.bools(n)?,
                arrested_6_months: r.bools(n)?,
                area: r.u16s(n)?,
            };
            check(client_ok(&t.client), "a check's client")?;
            check(
                t.area
                    .iter()
                    .all(|&a| a == NO_AREA || usize::from(a) < n_areas),
                "a check's area",
            )?;
            x.reoffending_checks = Some(t);
        }
        check(r.0.is_empty(), "bytes after the last table")?;
        Ok(x)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> Extract {
        Extract {
            areas: vec![AreaCode::parse("E06000047").unwrap_or_else(|_| unreachable!())],
            clients: 2,
            unrecognised_substances: vec!["Pregabalin".into()],
            outcome_labels: vec!["abstinent".into()],
            referrals: Some(Referrals {
                client: vec![0, 1],
                date: vec![19000, 19001],
                source: vec![0, 5],
                area: vec![0, 0],
            }),
            episodes: Some(Episodes {
                client: vec![1],
                referral: vec![1],
                area: vec![0],
                care_plan: vec![19002],
                treatment_start: vec![NO_DATE],
                prescribed: vec![true],
                iom: vec![false],
                closure: vec![19100],
                reason: vec![4],
            }),
            substances: Some(Substances {
                referral: vec![0, 1],
                client: vec![0, 1],
                rank: vec![1, 2],
                substance: vec![0, 21],
            }),
            outcome_events: Some(OutcomeEvents {
                client: vec![1],
                episode: vec![0],
                date: vec![19050],
                area: vec![0],
                outcome: vec![0],
                positive: vec![true],
            }),
            ..Extract::default()
        }
    }

    #[test]
    fn round_trip() {
        let x = small();
        assert_eq!(Extract::from_bytes(&x.to_bytes()), Ok(x.clone()));
        let empty = Extract::default();
        assert_eq!(Extract::from_bytes(&empty.to_bytes()), Ok(empty));
    }

    #[test]
    fn dates_far_apart_and_booleans_in_any_number() {
        let mut x = small();
        if let Some(e) = x.episodes.as_mut() {
            e.care_plan = vec![-700_000];
            e.closure = vec![2_000_000];
        }
        if let Some(r) = x.referrals.as_mut() {
            r.date = vec![NO_DATE, NO_DATE];
        }
        x.reoffending_checks = Some(ReoffendingChecks {
            client: vec![0; 11],
            check_date: vec![19000; 11],
            closure_date: vec![18000; 11],
            arrested_since: (0..11).map(|i| i % 3 == 0).collect(),
            arrested_6_months: (0..11).map(|i| i % 2 == 0).collect(),
            area: vec![0; 11],
        });
        assert_eq!(Extract::from_bytes(&x.to_bytes()), Ok(x));
    }

    #[test]
    fn every_corruption_is_an_error() {
        let bytes = small().to_bytes();
        for cut in 0..bytes.len() {
            assert!(Extract::from_bytes(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        for i in 0..bytes.len() {
            let mut b = bytes.clone();
            b[i] ^= 0x41;
            assert!(Extract::from_bytes(&b).is_err(), "flip at {i}");
        }
        let mut v2 = bytes.clone();
        v2[8] = 2;
        assert!(matches!(
            Extract::from_bytes(&v2),
            Err(CodecError::Version(2))
        ));
    }

    #[test]
    fn invalid_values_behind_a_good_checksum() {
        let mut x = small();
        if let Some(s) = x.substances.as_mut() {
            s.substance[1] = 99;
        }
        assert_eq!(
            Extract::from_bytes(&x.to_bytes()),
            Err(CodecError::Invalid("a substance"))
        );
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..600)) {
            let _ = Extract::from_bytes(&bytes);
            let mut framed = MAGIC.to_vec();
            framed.extend_from_slice(&VERSION.to_le_bytes());
            framed.extend_from_slice(&bytes);
            let sum = xxh3_64(&framed);
            framed.extend_from_slice(&sum.to_le_bytes());
            let _ = Extract::from_bytes(&framed);
        }
    }
}
