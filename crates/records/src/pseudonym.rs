//! The check that a `client_id` is a pseudonym: `records.md` says it is never a name, a date of
//! birth, an NHS number or a PNC number, so a value shaped like one of those is rejected before
//! it is stored anywhere.

/// What a client id looks like, if it looks like something it must never be.
pub(crate) fn identifying(id: &[u8]) -> Option<&'static str> {
    if looks_like_date(id) {
        return Some("a date (of birth?)");
    }
    if looks_like_nhs_number(id) {
        return Some("an NHS number");
    }
    if looks_like_pnc_number(id) {
        return Some("a PNC number");
    }
    if looks_like_name(id) {
        return Some("a person's name");
    }
    None
}

fn looks_like_date(id: &[u8]) -> bool {
    if crate::date::parse_iso(id).is_some() {
        return true;
    }
    // dd/mm/yyyy, dd-mm-yyyy, dd.mm.yyyy
    if let [d0, d1, s1, m0, m1, s2, y0, y1, y2, y3] = *id {
        let sep = |b: u8| matches!(b, b'/' | b'-' | b'.');
        let digits = [d0, d1, m0, m1, y0, y1, y2, y3];
        if sep(s1) && s1 == s2 && digits.iter().all(u8::is_ascii_digit) {
            let iso = [y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1];
            return crate::date::parse_iso(&iso).is_some();
        }
    }
    false
}

/// Ten digits (spaces or hyphens between groups allowed) whose last is the modulus-11 check
/// digit of the first nine.
fn looks_like_nhs_number(id: &[u8]) -> bool {
    let mut digits = [0u32; 10];
    let mut n = 0;
    for &b in id {
        match b {
            b'0'..=b'9' => {
                if let Some(d) = digits.get_mut(n) {
                    *d = u32::from(b - b'0');
                }
                n += 1;
            }
            b' ' | b'-' => {}
            _ => return false,
        }
    }
    if n != 10 {
        return false;
    }
    let sum: u32 = digits
        .iter()
        .take(9)
        .zip((2..=10).rev())
        .map(|(d, w)| d * w)
        .sum();
    let check = match 11 - sum % 11 {
        11 => 0,
        10 => return false,
        c => c,
    };
    digits.get(9) == Some(&check)
}

/// `YY/NNNNNNNL`: two digits of the year, a slash, up to seven digits and a check letter.
fn looks_like_pnc_number(id: &[u8]) -> bool {
    let [y0, y1, b'/', rest @ ..] = id else {
        return false;
    };
    let Some((letter, number)) = rest.split_last() else {
        return false;
    };
    y0.is_ascii_digit()
        && y1.is_ascii_digit()
        && letter.is_ascii_alphabetic()
        && (1..=7).contains(&number.len())
        && number.iter().all(u8::is_ascii_digit)
}

/// Two or more words of letters (hyphens and apostrophes allowed), no digits: `Jane Smith`.
/// Works on bytes, without allocating (it runs for every row): bytes of multi-byte UTF-8
/// characters count as letters.
fn looks_like_name(id: &[u8]) -> bool {
    if !id.iter().any(u8::is_ascii_whitespace) {
        return false;
    }
    let mut words = 0;
    for word in id.split(u8::is_ascii_whitespace).filter(|w| !w.is_empty()) {
        let letter = |b: &u8| b.is_ascii_alphabetic() || *b >= 0x80;
        let ok = word.iter().all(|b| letter(b) || *b == b'-' || *b == b'\'')
            && word.iter().filter(|b| letter(b)).count() >= 2;
        if !ok {
            return false;
        }
        words += 1;
    }
    words >= 2
}

#[cfg(test)]
mod tests {
    use super::identifying;

    #[test]
    fn identifying_values_are_caught() {
        for id in [
            "1985-07-14",
            "14/07/1985",
            "14-07-1985",
            "943 476 5919",
            "9434765919",
            "943-476-5919",
            "98/123456A",
            "04/7Z",
            "Jane Smith",
            "JANE O'NEIL-SMITH",
            "José Álvarez",
        ] {
            assert!(identifying(id.as_bytes()).is_some(), "{id}");
        }
    }

    #[test]
    fn pseudonyms_pass() {
        for id in [
            "C123",
            "a7f3e9c2",
            "CL-000123",
            "9434765918",
            "12345",
            "2024-13-01",
            "Jane",
            "X Y",
            "client 42",
            "98/12345678A",
            "RC0",
        ] {
            assert_eq!(identifying(id.as_bytes()), None, "{id}");
        }
    }
}
