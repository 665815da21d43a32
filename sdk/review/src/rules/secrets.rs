//! Secrets in added lines: tokens in the known formats of the big
//! providers, private keys, JWTs, secret-looking names assigned a literal,
//! passwords in URLs, and (when nothing more specific matched the line)
//! long random-looking strings.

use super::entropy;
use super::placeholder::is_placeholder;
use super::text::{self, View, redact};
use crate::input::{Added, File};
use crate::review::{Finding, Severity};

pub const AWS_KEY_ID: &str = "secrets/aws-access-key-id";
pub const AWS_SECRET: &str = "secrets/aws-secret-access-key";
pub const GITHUB: &str = "secrets/github-token";
pub const SLACK: &str = "secrets/slack-token";
pub const SLACK_WEBHOOK: &str = "secrets/slack-webhook";
pub const STRIPE: &str = "secrets/stripe-live-key";
pub const GOOGLE: &str = "secrets/google-api-key";
pub const OPENAI: &str = "secrets/openai-api-key";
pub const ANTHROPIC: &str = "secrets/anthropic-api-key";
pub const PRIVATE_KEY: &str = "secrets/private-key";
pub const JWT: &str = "secrets/jwt";
pub const ASSIGNMENT: &str = "secrets/literal-assignment";
pub const URL_CREDENTIALS: &str = "secrets/url-credentials";

/// A token format: fixed prefixes, then a run of body bytes.
struct Format {
    rule: &'static str,
    name: &'static str,
    prefixes: &'static [&'static str],
    body: fn(u8) -> bool,
    min: usize,
    max: usize,
    /// The body must mix upper case, lower case and digits, as random
    /// keys do and words do not (`sk-` also starts `sk-learn-pipeline`).
    mixed: bool,
}

fn upper_digit(b: u8) -> bool {
    b.is_ascii_uppercase() || b.is_ascii_digit()
}

fn alnum(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}

fn alnum_under(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn alnum_dash(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-'
}

fn base64url(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

/// Longest first where one prefix starts another (`sk-ant-` before `sk-`).
const FORMATS: &[Format] = &[
    Format {
        rule: AWS_KEY_ID,
        name: "AWS access key id",
        prefixes: &["AKIA", "ASIA", "ABIA", "ACCA"],
        body: upper_digit,
        min: 16,
        max: 16,
        mixed: false,
    },
    Format {
        rule: GITHUB,
        name: "GitHub token",
        prefixes: &["ghp_", "gho_", "ghu_", "ghs_", "ghr_"],
        body: alnum,
        min: 36,
        max: 255,
        mixed: false,
    },
    Format {
        rule: GITHUB,
        name: "GitHub fine-grained token",
        prefixes: &["github_pat_"],
        body: alnum_under,
        min: 40,
        max: 255,
        mixed: false,
    },
    Format {
        rule: SLACK,
        name: "Slack token",
        prefixes: &["xoxb-", "xoxa-", "xoxp-", "xoxr-", "xoxs-"],
        body: alnum_dash,
        min: 10,
        max: 255,
        mixed: false,
    },
    Format {
        rule: STRIPE,
        name: "Stripe live secret key",
        prefixes: &["sk_live_", "rk_live_"],
        body: alnum,
        min: 16,
        max: 255,
        mixed: false,
    },
    Format {
        rule: GOOGLE,
        name: "Google API key",
        prefixes: &["AIza"],
        body: base64url,
        min: 35,
        max: 35,
        mixed: false,
    },
    Format {
        rule: ANTHROPIC,
        name: "Anthropic API key",
        prefixes: &["sk-ant-"],
        body: base64url,
        min: 32,
        max: 255,
        mixed: true,
    },
    Format {
        rule: OPENAI,
        name: "OpenAI API key",
        prefixes: &["sk-"],
        body: base64url,
        min: 20,
        max: 255,
        mixed: true,
    },
];

/// The last words of a name that holds a secret (`db_password`,
/// `apiKey`, `CLIENT_SECRET`, `auth-token`).
const SECRET_WORDS: &[&str] = &["password", "passwd", "pwd", "secret", "token", "apikey", "credentials"];
/// Words that make a following `key` a secret one (`api_key`, `SECRET_KEY`).
const KEY_QUALIFIERS: &[&str] =
    &["api", "access", "secret", "private", "auth", "signing", "encryption", "master", "account", "client"];

/// Shortest literal value worth calling a password.
const MIN_LITERAL: usize = 6;

/// Check one added line.
pub fn check_line(file: &File<'_>, view: &View<'_>, out: &mut Vec<Finding>) {
    let (path, added) = (file.path(), &view.added);
    let before = out.len();
    known_formats(path, added, out);
    // A key's header in a comment of code describes the format; a real key
    // lives in a string or a key file.
    if !(file.lang.is_code() && view.is_comment()) {
        private_key(path, added, out);
    }
    aws_secret(path, added, out);
    if out.len() > before {
        return;
    }
    literal_assignments(file, added, out);
    url_credentials(path, added, out);
    if out.len() == before {
        entropy::check_line(file, added, out);
    }
}

/// Tokens in the providers' formats.
fn known_formats(path: &str, added: &Added<'_>, out: &mut Vec<Finding>) {
    let line = added.text();
    let bytes = line.as_bytes();
    let mut taken: Vec<(usize, usize)> = Vec::new();
    for format in FORMATS {
        for prefix in format.prefixes {
            for (start, _) in line.match_indices(prefix) {
                if taken.iter().any(|&(s, e)| start >= s && start < e) {
                    continue;
                }
                // A longer prefix (`sk-ant-` within `sk-`) belongs to its own
                // format, which has judged this token already.
                let rest = &line[start..];
                if FORMATS
                    .iter()
                    .flat_map(|f| f.prefixes)
                    .any(|p| p.len() > prefix.len() && p.starts_with(prefix) && rest.starts_with(p))
                {
                    continue;
                }
                if start > 0 && (base64url(bytes[start - 1]) || bytes[start - 1] == b'.') {
                    continue;
                }
                let body_start = start + prefix.len();
                let body_len = bytes[body_start..].iter().take_while(|&&b| (format.body)(b)).count();
                let end = body_start + body_len;
                if !(format.min..=format.max).contains(&body_len) || bytes.get(end).is_some_and(|&b| alnum(b))
                {
                    continue;
                }
                let token = &line[start..end];
                let body = &line[body_start..end];
                if is_placeholder(token) || (format.mixed && !mixed(body)) {
                    continue;
                }
                taken.push((start, end));
                out.push(Finding::new(
                    path,
                    Some(added.number()),
                    Severity::Error,
                    format.rule,
                    format!("{} `{}`: remove it and revoke it", format.name, redact(token)),
                ));
            }
        }
    }
    if slack_webhook(line) {
        out.push(Finding::new(
            path,
            Some(added.number()),
            Severity::Error,
            SLACK_WEBHOOK,
            "Slack incoming-webhook URL: anyone with it can post to the channel".into(),
        ));
    }
    jwt(path, added, out);
}

/// `hooks.slack.com/services/T…/B…/secret`, with real-looking parts.
fn slack_webhook(line: &str) -> bool {
    const PREFIX: &str = "hooks.slack.com/services/";
    line.match_indices(PREFIX).any(|(i, _)| {
        let mut parts = line[i + PREFIX.len()..].splitn(3, '/');
        let (Some(team), Some(hook), Some(rest)) = (parts.next(), parts.next(), parts.next()) else {
            return false;
        };
        let secret: String = rest.chars().take_while(char::is_ascii_alphanumeric).collect();
        let id = |s: &str, first: char| {
            s.starts_with(first)
                && s.len() >= 8
                && s.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        };
        id(team, 'T') && id(hook, 'B') && secret.len() >= 20 && !is_placeholder(&secret)
    })
}

/// Upper case, lower case and a digit.
fn mixed(s: &str) -> bool {
    let b = s.as_bytes();
    b.iter().any(u8::is_ascii_uppercase)
        && b.iter().any(u8::is_ascii_lowercase)
        && b.iter().any(u8::is_ascii_digit)
}

/// `header.payload.signature`, both JSON parts base64url (`eyJ` is `{"`).
fn jwt(path: &str, added: &Added<'_>, out: &mut Vec<Finding>) {
    let line = added.text();
    for (start, _) in line.match_indices("eyJ") {
        if start > 0 && base64url(line.as_bytes()[start - 1]) {
            continue;
        }
        let token: &str = {
            let len = line[start..].bytes().take_while(|&b| base64url(b) || b == b'.').count();
            &line[start..start + len]
        };
        let parts: Vec<&str> = token.split('.').collect();
        let valid = parts.len() == 3
            && parts[0].len() >= 10
            && parts[1].starts_with("eyJ")
            && parts[1].len() >= 10
            && parts[2].len() >= 16;
        if valid {
            let severity = if added.test { Severity::Error.softened() } else { Severity::Error };
            out.push(Finding::new(
                path,
                Some(added.number()),
                severity,
                JWT,
                format!("JSON Web Token `{}`: a bearer credential until it expires", redact(token)),
            ));
            return;
        }
    }
}

/// PEM and PuTTY private keys.
fn private_key(path: &str, added: &Added<'_>, out: &mut Vec<Finding>) {
    let line = added.text();
    if is_private_key_header(line) || line.starts_with("PuTTY-User-Key-File-") {
        let severity = if added.test { Severity::Error.softened() } else { Severity::Error };
        out.push(Finding::new(
            path,
            Some(added.number()),
            severity,
            PRIVATE_KEY,
            "private key: remove it, and replace the key it belongs to".into(),
        ));
    }
}

/// `-----BEGIN RSA PRIVATE KEY-----` and kin: an upper-case label that
/// ends in PRIVATE KEY between the dashes.
fn is_private_key_header(line: &str) -> bool {
    const BEGIN: &str = "-----BEGIN ";
    line.match_indices(BEGIN).any(|(i, _)| {
        let rest = &line[i + BEGIN.len()..];
        rest.find("-----").is_some_and(|end| {
            let label = &rest[..end];
            (label.ends_with("PRIVATE KEY") || label.ends_with("PRIVATE KEY BLOCK"))
                && label.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b' ')
        })
    })
}

/// A 40-character base64 string where the line, or one of the three
/// before it, mentions AWS.
fn aws_secret(path: &str, added: &Added<'_>, out: &mut Vec<Finding>) {
    let line = added.text();
    let bytes = line.as_bytes();
    let b64 = |b: u8| b.is_ascii_alphanumeric() || b == b'/' || b == b'+';
    let mut i = 0;
    while i < bytes.len() {
        if !b64(bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && b64(bytes[i]) {
            i += 1;
        }
        let token = &line[start..i];
        if token.len() != 40 || bytes.get(i) == Some(&b'=') || !mixed(token) || is_placeholder(token) {
            continue;
        }
        let mentions_aws = |s: &str| s.to_ascii_lowercase().contains("aws");
        if mentions_aws(line) || added.before().take(3).any(mentions_aws) {
            out.push(Finding::new(
                path,
                Some(added.number()),
                Severity::Error,
                AWS_SECRET,
                format!("AWS secret access key `{}`: remove it and rotate the key", redact(token)),
            ));
            return;
        }
    }
}

/// Whether a name holds a secret, by its last words.
pub fn is_secret_name(key: &str) -> bool {
    let words = text::words(key);
    let word = |i: usize| words.get(i).map(|w| w.trim_end_matches(|c: char| c.is_ascii_digit()));
    let Some(last) = words.len().checked_sub(1).and_then(word) else { return false };
    if SECRET_WORDS.contains(&last) {
        return true;
    }
    last == "key" && words.len() >= 2 && word(words.len() - 2).is_some_and(|w| KEY_QUALIFIERS.contains(&w))
}

/// `password = "hunter22"`, `"apiKey": "…"`, `API_TOKEN=abc123` (where
/// values may stand unquoted).
fn literal_assignments(file: &File<'_>, added: &Added<'_>, out: &mut Vec<Finding>) {
    let line = added.text();
    let mut report = |key: &str, value: &str| {
        if value.chars().count() < MIN_LITERAL
            || value.contains(char::is_whitespace)
            || value.contains('(')
            || is_placeholder(value)
        {
            return false;
        }
        let severity = if added.test { Severity::Error.softened() } else { Severity::Error };
        out.push(Finding::new(
            file.path(),
            Some(added.number()),
            severity,
            ASSIGNMENT,
            format!(
                "`{key}` is set to a literal `{}`: read it from the environment or a secret store",
                redact(value)
            ),
        ));
        true
    };
    for literal in text::literals(line) {
        if let Some(key) = text::key_before(line, literal.start)
            && is_secret_name(key)
            && report(key, literal.value)
        {
            return;
        }
    }
    if file.lang.unquoted_values()
        && let Some((key, value)) = unquoted_assignment(line)
        && is_secret_name(key)
    {
        report(key, value);
    }
}

/// `KEY=value`, `key: value`, `export KEY=value`, `ENV KEY value`, with
/// an unquoted value.
fn unquoted_assignment(line: &str) -> Option<(&str, &str)> {
    let mut rest = line.trim_start().trim_start_matches("- ");
    for word in ["export ", "ENV ", "ARG ", "set "] {
        rest = rest.strip_prefix(word).unwrap_or(rest);
    }
    let key_len = rest.bytes().take_while(|&b| text::is_ident(b) || b == b'-' || b == b'.').count();
    let (key, after) = rest.split_at(key_len);
    let after = after.trim_start();
    let value = after.strip_prefix('=').or_else(|| after.strip_prefix(':')).unwrap_or(after).trim_start();
    if key.is_empty()
        || value.is_empty()
        || value.starts_with(['"', '\'', '`', '$', '&', '*', '!', '[', '{', '|', '>'])
    {
        return None;
    }
    let value = value.split([' ', '\t', '#']).next().unwrap_or_default();
    Some((key, value))
}

/// `scheme://user:password@host` with a real-looking password, except
/// for local hosts (development databases).
fn url_credentials(path: &str, added: &Added<'_>, out: &mut Vec<Finding>) {
    let line = added.text();
    for (i, _) in line.match_indices("://") {
        let rest = &line[i + 3..];
        let authority_end = rest.find(|c: char| c == '/' || c.is_whitespace() || "\"'`".contains(c));
        let authority = &rest[..authority_end.unwrap_or(rest.len())];
        let Some((userinfo, host)) = authority.rsplit_once('@') else { continue };
        let Some((_, password)) = userinfo.split_once(':') else { continue };
        let host = host.split(':').next().unwrap_or(host);
        let local = matches!(host, "localhost" | "127.0.0.1" | "[::1]" | "0.0.0.0");
        if local || is_placeholder(password) || password.len() < 3 {
            continue;
        }
        let severity = if added.test { Severity::Warning.softened() } else { Severity::Warning };
        out.push(Finding::new(
            path,
            Some(added.number()),
            severity,
            URL_CREDENTIALS,
            format!("URL with a password for {host}: pass the credentials separately"),
        ));
        return;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::line_hits;

    fn rules(path: &str, text: &str) -> Vec<&'static str> {
        line_hits(path, text).into_iter().map(|(rule, _)| rule).collect()
    }

    // Built at run time so that this file holds no token in a scannable
    // format: the review of this very repository stays clean.
    fn token(prefix: &str, body: &str) -> String {
        format!("{prefix}{body}")
    }

    const BODY36: &str = "8cK2mQ9xW4vT7zL1nR5pY3sA6dF0hJ2kG4bN";

    #[test]
    fn every_known_format_is_found_with_its_line() {
        let cases = [
            (format!("aws_id = \"{}\"", token("AKIA", "Z7Q2XK4M3N8P5R6T")), AWS_KEY_ID),
            (format!("GITHUB = '{}'", token("ghp_", BODY36)), GITHUB),
            (format!("t := \"{}\"", token("gho_", BODY36)), GITHUB),
            (
                format!(
                    "pat: {}",
                    token("github_pat_", "11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGH")
                ),
                GITHUB,
            ),
            (format!("SLACK={}", token("xoxb-", "123456789012-1234567890123-AbCdEfGhIjKlMnOp")), SLACK),
            (format!("stripe.key = \"{}\"", token("sk_live_", "4eC39HqLyjWDarjtT1zdp7dc")), STRIPE),
            (format!("maps({})", token("AIza", "SyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY")), GOOGLE),
            (format!("OPENAI = \"{}\"", token("sk-", "proj-Ab3dE5gH7jK9mN1pQ3sT5vW7yZ9")), OPENAI),
            (
                format!("key = \"{}\"", token("sk-ant-", "api03-Ab3dE5gH7jK9mN1pQ3sT5vW7yZ9bC2eF4hJ6kL8")),
                ANTHROPIC,
            ),
            (format!("-----BEGIN RSA {} KEY-----", "PRIVATE"), PRIVATE_KEY),
            (format!("-----BEGIN OPENSSH {} KEY-----", "PRIVATE"), PRIVATE_KEY),
            (format!("-----BEGIN PGP {} KEY BLOCK-----", "PRIVATE"), PRIVATE_KEY),
            (
                format!(
                    "auth = \"{}.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U\"",
                    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"
                ),
                JWT,
            ),
            (
                format!(
                    "url = \"https://hooks.slack.com/services/{}\"",
                    "T00000000/B00000000/AbCdEfGhIjKlMnOpQrStUvWx"
                ),
                SLACK_WEBHOOK,
            ),
        ];
        for (line, rule) in cases {
            let text = format!("first line\n{line}\n");
            assert_eq!(line_hits("src/config.py", &text), [(rule, 2)], "{line}");
        }
    }

    #[test]
    fn a_short_anthropic_prefix_is_not_an_openai_key() {
        let short = token("sk-ant-", "test-Zq81-very-secret-key");
        assert!(!rules("x.rs", &format!("const KEY: &str = \"{short}\";\n")).contains(&OPENAI));
    }

    #[test]
    fn aws_secret_keys_need_aws_nearby() {
        let secret = token("wJalrXUtnFEMI/K7MDENG/", "bPxRfiCYz1Xq8Tk4Lm");
        assert_eq!(rules("x.env", &format!("AWS_SECRET_ACCESS_KEY={secret}\n")), [AWS_SECRET]);
        assert_eq!(rules("x.py", &format!("# aws credentials\n\n\nk = '{secret}'\n")), [AWS_SECRET]);
        // Far from any mention of AWS, it is only a random string.
        assert_eq!(rules("x.py", &format!("k = '{secret}'\n")), [entropy::HIGH_ENTROPY]);
    }

    #[test]
    fn literal_assignments_of_secret_names() {
        for line in [
            "password = \"hunter22\"",
            "DB_PASSWORD=s3cr3t-Pa55",
            "  apiKey: 'q8Ld93kXz0'",
            "client_secret => \"abcdef123\"",
            "export AUTH_TOKEN=abcdef123",
            "\"secret_key\": \"not4you2know\",",
            "connect(user, password=\"hunter22\")",
        ] {
            assert_eq!(rules("app/settings.sh", &format!("{line}\n")), [ASSIGNMENT], "{line}");
        }
        for line in [
            "password = os.environ[\"DB_PASSWORD\"]",
            "password = \"changeme\"",
            "api_key: \"<your-key>\"",
            "token = \"${GITHUB_TOKEN}\"",
            "secret: xxxxxxxx",
            "password_hint = \"your pet's name\"",
            "token_type = \"bearer_token\"",
            "if password == \"hunter22\":",
            "password: \"Please enter a password\"",
            "PASSWORD=",
            "tokenizer = \"bert-base-uncased\"",
            "password = get_password()",
        ] {
            assert!(rules("app/settings.py", &format!("{line}\n")).is_empty(), "{line}");
        }
    }

    #[test]
    fn secrets_in_tests_are_softened_but_formats_are_not() {
        let hits = line_hits("tests/login.rs", "let password = \"hunter22\";\n");
        let findings = crate::rules::testing::findings(&crate::input::fixtures::new_file(
            "tests/login.rs",
            &format!("let password = \"hunter22\";\nlet k = \"{}\";\n", token("AKIA", "Z7Q2XK4M3N8P5R6T")),
        ));
        assert_eq!(hits, [(ASSIGNMENT, 1)]);
        let severities: Vec<_> = findings.iter().map(|f| (f.rule, f.severity)).collect();
        assert!(severities.contains(&(ASSIGNMENT, Severity::Warning)), "{severities:?}");
        assert!(severities.contains(&(AWS_KEY_ID, Severity::Error)), "{severities:?}");
    }

    #[test]
    fn url_passwords() {
        assert_eq!(
            rules("deploy.yml", "db: postgres://app:Zq8x2Lm@db.prod.internal/app\n"),
            [URL_CREDENTIALS]
        );
        assert!(rules("dev.yml", "db: postgres://app:app@localhost/app\n").is_empty());
        assert!(rules("dev.yml", "db: postgres://app:${DB_PASS}@db/app\n").is_empty());
        assert!(rules("a.md", "see https://example.com/a:b@c\n").is_empty());
    }

    #[test]
    fn no_false_positives_on_placeholders_hashes_and_ids() {
        let lines = [
            format!("AWS_ACCESS_KEY_ID={}", token("AKIA", "IOSFODNN7EXAMPLE")),
            format!("key = \"{}\"", token("ghp_", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")),
            "model = \"sk-learn-pipeline-step-name\"".to_string(),
            "const task = \"risk-assessment-for-large-payloads\"".to_string(),
            "commit = \"3b51cb0a9f1e2d4c5b6a7980f1e2d3c4b5a69788\"".to_string(),
            "let id = \"550e8400-e29b-41d4-a716-446655440000\";".to_string(),
            "-----BEGIN PUBLIC KEY-----".to_string(),
            "let pem = line.find(\"-----BEGIN \").is_some_and(|i| line[i..].contains(\"PRIVATE KEY\"));"
                .to_string(),
            "const HOOK: &str = \"hooks.slack.com/services/\";".to_string(),
            format!("/// `-----BEGIN RSA {} KEY-----` and kin", "PRIVATE"),
            "url = \"https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXXXXXXXXXX\"".to_string(),
            "-----BEGIN CERTIFICATE-----".to_string(),
            "AKIAISTHEPREFIX is what AWS key ids start with".to_string(),
        ];
        for line in lines {
            assert!(rules("src/app.ts", &format!("{line}\n")).is_empty(), "{line}");
        }
    }

    #[test]
    fn secret_names() {
        for name in
            ["password", "DB_PASSWORD", "apiKey", "api_key", "SECRET_KEY", "clientSecret", "authToken", "pwd"]
        {
            assert!(is_secret_name(name), "{name}");
        }
        for name in [
            "key",
            "password_hint",
            "tokenizer",
            "token_type",
            "monkey",
            "keyboard",
            "secret_name",
            "passwordField",
        ] {
            assert!(!is_secret_name(name), "{name}");
        }
    }
}
