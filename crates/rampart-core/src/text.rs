//! Small text helpers every stage needs when it keeps part of a value from traffic.

/// At most `max` bytes of `text`, cut on a character boundary (never inside a UTF-8 sequence).
pub fn prefix(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::prefix;

    #[test]
    fn cuts_on_a_character_boundary() {
        assert_eq!(prefix("ééé", 3), "é");
        assert_eq!(prefix("abc", 10), "abc");
        assert_eq!(prefix("abc", 0), "");
    }
}
