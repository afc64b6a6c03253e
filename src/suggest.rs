//! "Did you mean" suggestions for misspelled names.

/// The edit distance between two strings (insertions, deletions, substitutions).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let substitution = diagonal + usize::from(ca != cb);
            diagonal = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(row[j + 1] + 1);
        }
    }
    row[b.len()]
}

/// The candidate closest to `input`, if it is close enough to be a likely typo.
pub fn closest<'a>(input: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (input.chars().count() / 3).max(1) + 1;
    candidates
        .into_iter()
        .map(|c| (edit_distance(input, c), c))
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
    }

    #[test]
    fn suggestions() {
        let names = ["financial", "webapp", "demo"];
        assert_eq!(closest("financal", names), Some("financial"));
        assert_eq!(closest("webap", names), Some("webapp"));
        assert_eq!(closest("dmeo", names), Some("demo"));
        assert_eq!(closest("zzzzzzzz", names), None);
    }
}
