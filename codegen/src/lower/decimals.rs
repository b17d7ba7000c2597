//! Which number fields become `Decimal`: the `decimal_fields` option, matched as globs.

use super::Lowerer;

impl Lowerer<'_> {
    pub(super) fn is_decimal(&self, schema: &str, field: &str) -> bool {
        self.options
            .decimal_fields
            .iter()
            .any(|pattern| match pattern.split_once('.') {
                Some((s, f)) => glob_match(s, schema) && glob_match(f, field),
                None => glob_match(pattern, field),
            })
    }
}

/// Case-insensitive match with `*` standing for any run of characters.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.to_ascii_lowercase().chars().collect();
    let t: Vec<char> = text.to_ascii_lowercase().chars().collect();
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && p[pi] != '*' && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[test]
    fn glob() {
        assert!(glob_match("cost", "Cost"));
        assert!(glob_match("*cost", "extendedCost"));
        assert!(glob_match("*Price*", "unitPrice"));
        assert!(!glob_match("cost", "costCenter"));
        assert!(glob_match("*", ""));
    }
}
