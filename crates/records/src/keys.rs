//! Identifier work at scale without random access: duplicates, pointer joins and interning
//! by radix-partitioned sorting.
//!
//! A hash table of ten million identifiers is far bigger than the caches, so probing it costs
//! a memory round trip per row. Instead the reader gathers each row's identifiers as 64-bit
//! hashes in order (sequential writes), scatters them by their top bits into partitions small
//! enough to sort inside the cache, and sorts each partition: equal keys end up side by side.
//!
//! A 64-bit hash can collide: two different ids among ten million share a hash with
//! probability about 3 in a million. Duplicate row ids are confirmed by their text before a
//! row is rejected (see `read.rs`); a collision between two client ids would count them as
//! one client, with that probability.

use xxhash_rust::xxh3::xxh3_64;

/// The key standing for "no identifier" (a blank optional cell).
pub(crate) const NONE: u64 = 0;

/// The key of an identifier's text; never [`NONE`].
pub(crate) fn key(bytes: &[u8]) -> u64 {
    match xxh3_64(bytes) {
        NONE => 1,
        h => h,
    }
}

/// Number of top bits to partition `n` keys by, for partitions of some tens of thousands
/// (a few hundred KiB: sorted inside the core's cache, few enough to scatter to).
fn bits_for(n: usize) -> u32 {
    let mut bits = 0;
    while bits < 16 && (n >> bits) > 32_768 {
        bits += 1;
    }
    bits
}

fn part(key: u64, bits: u32) -> usize {
    if bits == 0 {
        0
    } else {
        (key >> (64 - bits)) as usize
    }
}

/// `(key, row)` pairs, skipping [`NONE`], scattered by the top `bits` of the key and each
/// partition sorted; returns the pairs and the partitions' bounds.
fn partitioned(columns: &[&[u64]], bits: u32) -> (Vec<(u64, u32)>, Vec<usize>) {
    let parts = 1usize << bits;
    let mut counts = vec![0usize; parts + 1];
    for col in columns {
        for &k in col.iter() {
            if k != NONE
                && let Some(c) = counts.get_mut(part(k, bits) + 1)
            {
                *c += 1;
            }
        }
    }
    for i in 1..counts.len() {
        let before = counts.get(i - 1).copied().unwrap_or(0);
        if let Some(c) = counts.get_mut(i) {
            *c += before;
        }
    }
    let bounds = counts.clone();
    let total = bounds.last().copied().unwrap_or(0);
    let mut next = counts;
    let mut out = vec![(0u64, 0u32); total];
    let mut row = 0u32;
    for col in columns {
        for &k in col.iter() {
            if k != NONE {
                let p = part(k, bits);
                if let Some(at) = next.get_mut(p) {
                    if let Some(slot) = out.get_mut(*at) {
                        *slot = (k, row);
                    }
                    *at += 1;
                }
            }
            row = row.wrapping_add(1);
        }
    }
    sort_parts(&mut out, &bounds, bits);
    (out, bounds)
}

/// Sorts one partition, whose keys share their top `shift` bits: one counting pass on the next
/// eight bits, then a comparison sort of each small bucket (about twice as fast as sorting the
/// partition whole, which dominated the reader's identifier work).
fn sort_part(s: &mut [(u64, u32)], shift: u32, scratch: &mut Vec<(u64, u32)>) {
    if s.len() < 512 || shift > 56 {
        s.sort_unstable();
        return;
    }
    let digit = |k: u64| ((k << shift) >> 56) as usize;
    let mut counts = [0usize; 257];
    for &(k, _) in s.iter() {
        if let Some(c) = counts.get_mut(digit(k) + 1) {
            *c += 1;
        }
    }
    for i in 1..counts.len() {
        let before = counts.get(i - 1).copied().unwrap_or(0);
        if let Some(c) = counts.get_mut(i) {
            *c += before;
        }
    }
    scratch.clear();
    scratch.resize(s.len(), (0, 0));
    let mut next = counts;
    for &pair in s.iter() {
        if let Some(at) = next.get_mut(digit(pair.0))
            && let Some(slot) = scratch.get_mut(*at)
        {
            *slot = pair;
            *at += 1;
        }
    }
    s.copy_from_slice(scratch);
    for w in counts.windows(2) {
        if let [a, b] = *w
            && let Some(bucket) = s.get_mut(a..b)
        {
            bucket.sort_unstable();
        }
    }
}

/// Sorts each partition, the two halves of the partitions on two threads.
fn sort_parts(out: &mut [(u64, u32)], bounds: &[usize], bits: u32) {
    let sort_range = |slice: &mut [(u64, u32)], bounds: &[usize], base: usize| {
        let mut scratch = Vec::new();
        for w in bounds.windows(2) {
            if let [a, b] = *w
                && let Some(s) = slice.get_mut(a - base..b - base)
            {
                sort_part(s, bits, &mut scratch);
            }
        }
    };
    let half = bounds.len() / 2;
    let mid = bounds.get(half).copied().unwrap_or(0);
    if out.len() < 1 << 16 || mid > out.len() {
        sort_range(out, bounds, 0);
        return;
    }
    let (left, right) = out.split_at_mut(mid);
    let (lb, rb) = (
        bounds.get(..=half).unwrap_or(&[]),
        bounds.get(half..).unwrap_or(&[]),
    );
    std::thread::scope(|s| {
        s.spawn(|| sort_range(left, lb, 0));
        sort_range(right, rb, mid);
    });
}

/// Groups of rows (each ascending) that share a key; rows with [`NONE`] are ignored.
pub(crate) fn shared(keys: &[u64]) -> Vec<Vec<u32>> {
    let (pairs, _) = partitioned(&[keys], bits_for(keys.len()));
    let mut groups = Vec::new();
    let mut i = 0;
    while i < pairs.len() {
        let k = pairs.get(i).map_or(NONE, |p| p.0);
        let mut j = i + 1;
        while pairs.get(j).is_some_and(|p| p.0 == k) {
            j += 1;
        }
        if j - i > 1 {
            groups.push(pairs.get(i..j).unwrap_or(&[]).iter().map(|p| p.1).collect());
        }
        i = j;
    }
    groups
}

/// For each probe key, the first build row with the same key, or `missing`.
pub(crate) fn lookup(build: &[u64], probe: &[u64], missing: u32) -> Vec<u32> {
    let bits = bits_for(build.len().max(probe.len()));
    let (b, bb) = partitioned(&[build], bits);
    let (p, pb) = partitioned(&[probe], bits);
    let mut out = vec![missing; probe.len()];
    for (bw, pw) in bb.windows(2).zip(pb.windows(2)) {
        let (Some(bs), Some(ps)) = (b.get(bw[0]..bw[1]), p.get(pw[0]..pw[1])) else {
            continue;
        };
        // Both sorted: merge. For a key built twice the first (lowest) row wins.
        let mut i = 0;
        for &(k, row) in ps {
            while bs.get(i).is_some_and(|x| x.0 < k) {
                i += 1;
            }
            if let Some(&(bk, brow)) = bs.get(i)
                && bk == k
                && let Some(o) = out.get_mut(row as usize)
            {
                *o = brow;
            }
        }
    }
    out
}

/// Interns the keys of several columns into one index space: every distinct key gets an
/// index, the same in every column; [`NONE`] becomes `none`. Returns the columns of indexes
/// and the number of distinct keys. Takes the columns by value and frees each once it is
/// scattered, as at national scale they are the largest thing in memory at that point.
pub(crate) fn intern(mut columns: Vec<Vec<u64>>, none: u32) -> (Vec<Vec<u32>>, u32) {
    let lens: Vec<usize> = columns.iter().map(Vec::len).collect();
    let total: usize = lens.iter().sum();
    let bits = bits_for(total);
    let parts = 1usize << bits;
    let mut bounds = vec![0usize; parts + 1];
    for col in &columns {
        for &k in col {
            if k != NONE
                && let Some(c) = bounds.get_mut(part(k, bits) + 1)
            {
                *c += 1;
            }
        }
    }
    for i in 1..bounds.len() {
        let before = bounds.get(i - 1).copied().unwrap_or(0);
        if let Some(c) = bounds.get_mut(i) {
            *c += before;
        }
    }
    let mut next = bounds.clone();
    let mut pairs = vec![(0u64, 0u32); bounds.last().copied().unwrap_or(0)];
    let mut row = 0u32;
    for col in &mut columns {
        for &k in col.iter() {
            if k != NONE
                && let Some(at) = next.get_mut(part(k, bits))
            {
                if let Some(slot) = pairs.get_mut(*at) {
                    *slot = (k, row);
                }
                *at += 1;
            }
            row = row.wrapping_add(1);
        }
        *col = Vec::new();
    }
    drop(next);
    sort_parts(&mut pairs, &bounds, bits);
    let mut flat = vec![none; total];
    let mut distinct = 0u32;
    for w in bounds.windows(2) {
        let Some(s) = pairs.get(w[0]..w[1]) else {
            continue;
        };
        let mut last = None;
        for &(k, row) in s {
            if last != Some(k) {
                last = Some(k);
                distinct = distinct.wrapping_add(1);
            }
            if let Some(f) = flat.get_mut(row as usize) {
                *f = distinct - 1;
            }
        }
    }
    drop(pairs);
    // Back into columns, cutting from the end so each piece is copied once.
    let mut out: Vec<Vec<u32>> = Vec::with_capacity(lens.len());
    for &n in lens.iter().rev() {
        let at = flat.len().saturating_sub(n);
        out.push(flat.split_off(at));
    }
    out.reverse();
    (out, distinct)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_lookup_and_intern() {
        let keys: Vec<u64> = (0..50_000u64)
            .map(|i| key(&(i % 40_000).to_le_bytes()))
            .collect();
        let groups = shared(&keys);
        assert_eq!(groups.len(), 10_000);
        assert!(groups.iter().all(|g| g.len() == 2 && g[1] == g[0] + 40_000));

        let probe: Vec<u64> = vec![keys[7], NONE, key(b"nobody"), keys[45_000]];
        assert_eq!(
            lookup(&keys, &probe, u32::MAX),
            vec![7, u32::MAX, u32::MAX, 5_000]
        );

        let a: Vec<u64> = [b"x", b"y", b"x"].iter().map(|b| key(*b)).collect();
        let b: Vec<u64> = vec![key(b"y"), NONE, key(b"z")];
        let (ids, n) = intern(vec![a.clone(), b.clone()], u32::MAX);
        assert_eq!(n, 3);
        assert_eq!(ids[0][0], ids[0][2]);
        assert_eq!(ids[0][1], ids[1][0]);
        assert_eq!(ids[1][1], u32::MAX);
        assert!(ids[1][2] < 3 && ids[1][2] != ids[0][0] && ids[1][2] != ids[0][1]);
    }

    #[test]
    fn partitions_come_out_sorted() {
        let keys: Vec<u64> = (0..200_000u64)
            .map(|i| key(&(i % 150_000).to_le_bytes()))
            .collect();
        let bits = bits_for(keys.len());
        let (pairs, bounds) = partitioned(&[&keys], bits);
        for w in bounds.windows(2) {
            assert!(pairs[w[0]..w[1]].windows(2).all(|p| p[0] <= p[1]));
        }
        assert_eq!(pairs.len(), keys.len());
    }

    #[test]
    fn large_inputs_use_both_halves() {
        let keys: Vec<u64> = (0..300_000u64)
            .map(|i| key(&(i / 3).to_le_bytes()))
            .collect();
        let (ids, n) = intern(vec![keys.clone()], u32::MAX);
        assert_eq!(n, 100_000);
        assert!(ids[0].chunks(3).all(|c| c[0] == c[1] && c[1] == c[2]));
        assert_eq!(shared(&keys).len(), 100_000);
    }
}
