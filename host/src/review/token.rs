//! The GitHub token: held by the host, shown to no one. It has no
//! `Display`, its `Debug` hides it, and the header that carries it is
//! marked sensitive (so that no HTTP log prints it).

use reqwest::header::HeaderValue;

/// A GitHub token.
#[derive(Clone)]
pub struct Token(String);

impl Token {
    pub fn new(token: String) -> Token {
        Token(token)
    }

    /// `Authorization: Bearer …`, marked sensitive; `None` for a token that
    /// cannot be a header value.
    pub fn bearer(&self) -> Option<HeaderValue> {
        let mut value = HeaderValue::from_str(&format!("Bearer {}", self.0)).ok()?;
        value.set_sensitive(true);
        Some(value)
    }
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(hidden)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_it() {
        let token = Token::new("ghp_secret".into());
        assert_eq!(format!("{token:?}"), "Token(hidden)");
        assert!(token.bearer().unwrap().is_sensitive());
    }
}
