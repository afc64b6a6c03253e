//! "Did you mean" suggestions for misspelled names.

/// The edit distance between two strings: insertions, deletions,
/// substitutions and transpositions of neighbours (`vcp` → `vpc` is one).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // Three rows of the optimal-string-alignment table: two back, one back, current.
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current: Vec<usize> = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        current[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (previous[j] + 1)
                .min(current[j - 1] + 1)
                .min(previous[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(before[j - 2] + 1);
            }
            current[j] = best;
        }
        std::mem::swap(&mut before, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

/// How far `candidate` is from `input` for suggestions: the edit distance,
/// except that a candidate that is the input with a prefix or suffix added
/// or removed (`zone_names` and `names`) counts as one edit.
fn score(input: &str, candidate: &str) -> usize {
    let (short, long) = if input.len() <= candidate.len() {
        (input, candidate)
    } else {
        (candidate, input)
    };
    if short.len() >= 3 && (long.starts_with(short) || long.ends_with(short)) {
        return 1;
    }
    edit_distance(input, candidate)
}

/// ` (did you mean "x"?)` for the candidate closest to `input`, or nothing
/// when none is close: the tail every misspelled-name message ends with.
pub fn did_you_mean<'a>(input: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    closest(input, candidates)
        .map(|s| format!(" (did you mean {s:?}?)"))
        .unwrap_or_default()
}

/// The candidate closest to `input`, if it is close enough to be a likely typo.
pub fn closest<'a>(input: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (input.chars().count() / 3).max(1) + 1;
    candidates
        .into_iter()
        .filter(|c| *c != input)
        .map(|c| (score(input, c), c))
        .filter(|&(d, _)| d <= limit)
        .min()
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        let check = |a: &str, b: &str, d: usize| assert_eq!(edit_distance(a, b), d, "{a} {b}");
        check("", "", 0);
        check("abc", "abc", 0);
        check("abc", "", 3);
        check("kitten", "sitting", 3);
        check("financal", "financial", 1);
        check("aws_vcp", "aws_vpc", 1);
        check("ab", "ba", 1);
        check("ca", "abc", 3);
    }

    #[test]
    fn suggestions() {
        let names = ["financial", "webapp", "demo"];
        assert_eq!(closest("financal", names), Some("financial"));
        assert_eq!(closest("webap", names), Some("webapp"));
        assert_eq!(closest("dmeo", names), Some("demo"));
        assert_eq!(closest("zzzzzzzz", names), None);
        assert_eq!(closest("aws_vcp", ["aws_eip", "aws_vpc"]), Some("aws_vpc"));
        assert_eq!(
            closest("zone_names", ["group_names", "names", "zone_ids"]),
            Some("names")
        );
    }
}
