//! People as git writes them (`Dana Designer <dana@example.com>`), and
//! who on the designers list a sign-off names.

use std::fmt;

/// A name, an e-mail address, or both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub name: Option<String>,
    pub email: Option<String>,
}

impl Identity {
    /// `Name <email>`, `<email>`, `email`, or `Name`.
    pub fn parse(s: &str) -> Identity {
        let s = s.trim();
        if let (Some(open), Some(close)) = (s.find('<'), s.rfind('>'))
            && open < close
        {
            let name = s[..open].trim().trim_matches('"').trim();
            let email = s[open + 1..close].trim();
            return Identity {
                name: (!name.is_empty()).then(|| name.to_string()),
                email: (!email.is_empty()).then(|| email.to_string()),
            };
        }
        if s.contains('@') && !s.contains(char::is_whitespace) {
            return Identity { name: None, email: Some(s.to_string()) };
        }
        Identity { name: (!s.is_empty()).then(|| s.to_string()), email: None }
    }

    /// Whether a sign-off by `claimed` is one by this designer: by e-mail
    /// when the list gives one (a name alone is easy to borrow), by name
    /// only when the list gives no e-mail. Case and spacing are ignored.
    pub fn accepts(&self, claimed: &Identity) -> bool {
        match (&self.email, &self.name) {
            (Some(email), _) => claimed.email.as_deref().is_some_and(|c| c.eq_ignore_ascii_case(email)),
            (None, Some(name)) => claimed.name.as_deref().is_some_and(|c| normalize(c) == normalize(name)),
            (None, None) => false,
        }
    }
}

impl fmt::Display for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.name, &self.email) {
            (Some(name), Some(email)) => write!(f, "{name} <{email}>"),
            (Some(name), None) => f.write_str(name),
            (None, Some(email)) => write!(f, "<{email}>"),
            (None, None) => f.write_str("(nobody)"),
        }
    }
}

fn normalize(name: &str) -> String {
    name.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// The people whose sign-off counts, from `[design] designers`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Designers(pub Vec<Identity>);

impl Designers {
    pub fn parse<S: AsRef<str>>(entries: &[S]) -> Designers {
        let people = entries.iter().map(|e| Identity::parse(e.as_ref()));
        Designers(people.filter(|i| i.name.is_some() || i.email.is_some()).collect())
    }

    /// The designer `claimed` is, if any.
    pub fn find(&self, claimed: &Identity) -> Option<&Identity> {
        self.0.iter().find(|d| d.accepts(claimed))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> Identity {
        Identity::parse(s)
    }

    #[test]
    fn parses_the_usual_forms() {
        assert_eq!(
            id("Dana Designer <dana@example.com>"),
            Identity { name: Some("Dana Designer".into()), email: Some("dana@example.com".into()) }
        );
        assert_eq!(id("sam@example.com"), Identity { name: None, email: Some("sam@example.com".into()) });
        assert_eq!(id("<sam@example.com>"), Identity { name: None, email: Some("sam@example.com".into()) });
        assert_eq!(id("  Pat  "), Identity { name: Some("Pat".into()), email: None });
        assert_eq!(id("\"Dana D.\" <d@x.org>").name.as_deref(), Some("Dana D."));
        assert_eq!(id("Dana Designer <dana@example.com>").to_string(), "Dana Designer <dana@example.com>");
    }

    #[test]
    fn matching_by_email_or_by_name_without_one() {
        let list = Designers::parse(&["Dana Designer <dana@example.com>", "sam@example.com", "Pat Doe", ""]);
        assert_eq!(list.0.len(), 3);
        // By e-mail, whatever the name says.
        assert!(list.find(&id("D. Designer <DANA@example.com>")).is_some());
        assert!(list.find(&id("Sam <sam@example.com>")).is_some());
        // A listed name with someone else's address is not the designer.
        assert!(list.find(&id("Dana Designer <eve@evil.example>")).is_none());
        assert!(list.find(&id("Dana Designer")).is_none());
        // By name where the list has no e-mail.
        assert!(list.find(&id("pat   doe <pat@anywhere.example>")).is_some());
        assert!(list.find(&id("Pat")).is_none());
        assert!(list.find(&id("Eve <eve@example.com>")).is_none());
    }
}
