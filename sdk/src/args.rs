//! A small argument reader for `invocation.args`: flags, `--key value`
//! pairs and positionals, with a clear error for anything left over.

use crate::{Error, Result};

/// Arguments of one invocation, consumed as they are read.
#[derive(Debug, Clone)]
pub struct Args {
    items: Vec<String>,
}

impl Args {
    /// Wrap the invocation's arguments.
    pub fn new(items: Vec<String>) -> Self {
        Args { items }
    }

    /// Take a boolean flag such as `--stat`; true if it was present.
    pub fn flag(&mut self, name: &str) -> bool {
        let before = self.items.len();
        self.items.retain(|a| a != name);
        self.items.len() != before
    }

    /// Take `--name VALUE` or `--name=VALUE`.
    pub fn value(&mut self, name: &str) -> Result<Option<String>> {
        let prefix = format!("{name}=");
        if let Some(i) = self.items.iter().position(|a| a.starts_with(&prefix)) {
            return Ok(Some(self.items.remove(i)[prefix.len()..].to_string()));
        }
        let Some(i) = self.items.iter().position(|a| a == name) else {
            return Ok(None);
        };
        if i + 1 >= self.items.len() {
            return Err(Error::invalid(format!("{name} needs a value")));
        }
        self.items.remove(i);
        Ok(Some(self.items.remove(i)))
    }

    /// Take `--name N` as a number.
    pub fn number(&mut self, name: &str) -> Result<Option<u64>> {
        self.value(name)?
            .map(|v| v.parse().map_err(|_| Error::invalid(format!("{name} takes a whole number, not {v:?}"))))
            .transpose()
    }

    /// Take the next positional argument (anything not starting with `-`).
    pub fn positional(&mut self) -> Option<String> {
        let i = self.items.iter().position(|a| !a.starts_with('-') || a == "-")?;
        Some(self.items.remove(i))
    }

    /// Fail on anything not consumed, naming it.
    pub fn finish(self) -> Result<()> {
        match self.items.first() {
            None => Ok(()),
            Some(extra) => Err(Error::invalid(format!("unexpected argument {extra:?}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &[&str]) -> Args {
        Args::new(s.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn reads_flags_values_and_positionals() {
        let mut a = args(&["src", "--top", "5", "--json", "--base=main"]);
        assert!(a.flag("--json"));
        assert_eq!(a.number("--top").unwrap(), Some(5));
        assert_eq!(a.value("--base").unwrap().as_deref(), Some("main"));
        assert_eq!(a.positional().as_deref(), Some("src"));
        a.finish().unwrap();
    }

    #[test]
    fn leftovers_and_missing_values_are_errors() {
        let mut a = args(&["--top"]);
        assert!(a.value("--top").is_err());
        assert!(args(&["--nope"]).finish().is_err());
        assert!(args(&["--top", "x"]).number("--top").is_err());
    }
}
