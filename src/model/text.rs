//! How names from the input are shown in messages and on the terminal (pure): control
//! characters escaped, so that an id cannot move the cursor, retitle or clear a terminal,
//! and long names and lists shortened, so that one message stays short whatever the input.

use std::borrow::Cow;
use std::fmt::Write;

/// Characters shown with an escape (`\u{1b}`) rather than as themselves: C0 controls
/// (newline and tab included: one message is one line), DEL, C1 controls, the bidirectional
/// controls (which reorder the text around them: U+061C, U+200E–U+200F, U+202A–U+202E,
/// U+2066–U+2069), the line and paragraph separators, and the characters that draw nothing
/// (zero-width space, joiners and word joiner U+200B–U+200D, U+2060–U+2064, the byte order
/// mark U+FEFF, the soft hyphen U+00AD, the combining grapheme joiner U+034F, the Hangul
/// fillers, the Mongolian vowel separator and variation selectors, the deprecated format
/// characters U+206A–U+206F, the variation selectors U+FE00–U+FE0F and U+E0100–U+E01EF,
/// the interlinear annotation characters U+FFF9–U+FFFB and the tags U+E0000–U+E007F).
pub fn is_hidden(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1f}'
        | '\u{7f}'..='\u{9f}'
        | '\u{ad}'
        | '\u{34f}'
        | '\u{61c}'
        | '\u{115f}'..='\u{1160}'
        | '\u{180b}'..='\u{180f}'
        | '\u{200b}'..='\u{200f}'
        | '\u{2028}'..='\u{202e}'
        | '\u{2060}'..='\u{206f}'
        | '\u{3164}'
        | '\u{fe00}'..='\u{fe0f}'
        | '\u{feff}'
        | '\u{ffa0}'
        | '\u{fff9}'..='\u{fffb}'
        | '\u{e0000}'..='\u{e007f}'
        | '\u{e0100}'..='\u{e01ef}'
    )
}

/// `s` with every [`is_hidden`] character written as `\u{…}` (borrowed when there is none).
pub fn escape(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_hidden) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_hidden(c) {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// The most characters of a name a message shows.
pub const SHOWN_CHARS: usize = 40;

/// A name as a message shows it: escaped, and cut to its first [`SHOWN_CHARS`] characters
/// with its length in bytes when longer (`abc…(100000 bytes)`).
pub fn short(s: &str) -> String {
    match s.char_indices().nth(SHOWN_CHARS) {
        None => escape(s).into_owned(),
        Some((at, _)) => format!("{}…({} bytes)", escape(&s[..at]), s.len()),
    }
}

/// The most names of a list a message shows.
pub const SHOWN_NAMES: usize = 12;

/// A list of names as a message shows it: each [`short`], joined by `, `, at most
/// [`SHOWN_NAMES`] of them and then `and N more`.
pub fn list<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = String::new();
    let mut n = 0usize;
    for name in names {
        if n < SHOWN_NAMES {
            if n > 0 {
                out.push_str(", ");
            }
            out.push_str(&short(name));
        }
        n += 1;
    }
    if n > SHOWN_NAMES {
        let _ = write!(out, " and {} more", n - SHOWN_NAMES);
    }
    out
}

/// The first hidden character of `s` and its position in characters (0-based), if any.
pub fn first_hidden(s: &str) -> Option<(usize, char)> {
    s.chars().enumerate().find(|&(_, c)| is_hidden(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_escaped_and_text_kept() {
        assert_eq!(escape("pa-ash"), "pa-ash");
        assert!(matches!(escape("粉煤灰 رماد"), Cow::Borrowed(_)));
        assert_eq!(escape("a\u{1b}]0;pwned\u{7}b"), "a\\u{1b}]0;pwned\\u{7}b");
        assert_eq!(
            escape("x\ny\tz\u{7f}\u{9b}"),
            "x\\u{a}y\\u{9}z\\u{7f}\\u{9b}"
        );
        assert_eq!(escape("\u{202e}evil\u{200b}"), "\\u{202e}evil\\u{200b}");
        assert_eq!(first_hidden("ab\u{200d}c"), Some((2, '\u{200d}')));
        assert_eq!(first_hidden("abc"), None);
        // Every invisible format character that makes a look-alike id (issue #19).
        for c in [
            '\u{ad}',
            '\u{34f}',
            '\u{180e}',
            '\u{200b}',
            '\u{200c}',
            '\u{200d}',
            '\u{200e}',
            '\u{200f}',
            '\u{202a}',
            '\u{202e}',
            '\u{2060}',
            '\u{2064}',
            '\u{2066}',
            '\u{2069}',
            '\u{206f}',
            '\u{3164}',
            '\u{fe0f}',
            '\u{feff}',
            '\u{e0001}',
            '\u{e0100}',
        ] {
            assert_eq!(first_hidden(&format!("a{c}b")), Some((1, c)), "{c:?}");
        }
        // Visible text of other scripts is kept.
        assert_eq!(first_hidden("粉煤灰 رماد ᠣᠷᠳᠣᠰ é é"), None);
    }

    #[test]
    fn long_names_and_lists_are_cut() {
        let long = "x".repeat(100_000);
        assert_eq!(short(&long), format!("{}…(100000 bytes)", "x".repeat(40)));
        assert_eq!(short(&"é".repeat(40)), "é".repeat(40));
        assert_eq!(
            short(&"é".repeat(41)),
            format!("{}…(82 bytes)", "é".repeat(40))
        );
        let names: Vec<String> = (0..20).map(|i| format!("p{i}")).collect();
        let l = list(names.iter().map(String::as_str));
        assert!(
            l.starts_with("p0, p1, ") && l.ends_with("p11 and 8 more"),
            "{l}"
        );
        assert_eq!(list(["a", "b"]), "a, b");
        let big = list(std::iter::repeat_n(long.as_str(), 12));
        assert!(big.len() < 12 * 70, "{}", big.len());
    }
}
