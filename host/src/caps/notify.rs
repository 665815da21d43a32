//! `notify`: a message, or a file of the evidence bundle, to people on
//! Slack. Each call is an action the gate judges (an `external` effect,
//! seen by other people) before grove reads its Slack setup; the skill
//! hands over text and never sees the client or its token. The text is
//! escaped (`notify::Mrkdwn`), so a skill cannot mention `@channel` or
//! disguise a link, and who a name means is the project's routing.

use super::{CapError, Caps, ErrorKind};
use crate::gate::{Permission, Permit};
use crate::notify::{self, Destination, File, Message, Mrkdwn, Routing, Slack};
use crate::wit::grove::skill::notify::{Host, Posted, Recipient};

/// The Slack client and the project's routing of one invocation, set up
/// on the first call the gate allows.
#[derive(Debug, Default)]
pub struct NotifyAccess {
    ready: Option<(Slack, Routing)>,
}

impl Caps {
    /// The client and routing, for a call the gate allowed. A missing
    /// token or a broken `[notify]` is the call's error, not the run's.
    fn slack(&mut self, permit: &Permit) -> Result<(Slack, Routing), CapError> {
        debug_assert_eq!(permit.permission(), Permission::Notify, "only a notify permit reaches Slack");
        if let Some(ready) = &self.notify.ready {
            return Ok(ready.clone());
        }
        let slack = Slack::from_user_config()?.with_deadline(self.deadline);
        let routing = Routing::load(self.workspace.root())?;
        Ok(self.notify.ready.insert((slack, routing)).clone())
    }

    /// Where a message for `to` goes, by the project's routing.
    fn destination(routing: &Routing, to: &Recipient) -> Result<Destination, CapError> {
        Ok(match to {
            Recipient::Channel(name) => {
                let name = name.trim().trim_start_matches('#');
                if name.is_empty() || name.contains(char::is_whitespace) {
                    return Err(CapError::invalid(format!("{name:?} is not a channel's name")));
                }
                Destination::Channel(name.to_string())
            }
            Recipient::Person(who) if who.trim().starts_with('#') => {
                return Err(CapError::invalid(format!("{who:?} is a channel: send it as `channel`")));
            }
            Recipient::Person(who) => routing.destination(who)?,
            Recipient::OnCall => routing.on_call()?,
        })
    }
}

/// The recipient as the gate and the audit log show it.
fn target(to: &Recipient) -> String {
    match to {
        Recipient::Channel(name) => format!("#{}", name.trim().trim_start_matches('#')),
        Recipient::Person(who) => who.trim().to_string(),
        Recipient::OnCall => "on-call".into(),
    }
}

impl Host for Caps {
    async fn send(&mut self, to: Recipient, message: String) -> Result<Posted, CapError> {
        let permit = self.check("notify", "send", &target(&to), Permission::Notify).await?;
        let (slack, routing) = self.slack(&permit)?;
        let destination = Caps::destination(&routing, &to)?;
        let conversation = slack.conversation(&destination, false).await?;
        let posted = slack.post(&conversation, &Message::new(Mrkdwn::text(&message))).await?;
        self.tell(
            crate::transcript::kind::NOTIFY,
            || serde_json::json!({ "verb": "send", "to": target(&to), "conversation": posted.conversation }),
        );
        Ok(Posted { conversation: posted.conversation, ts: posted.ts })
    }

    async fn share_evidence(
        &mut self,
        to: Recipient,
        file: String,
        comment: String,
    ) -> Result<String, CapError> {
        let subject = format!("{} {file}", target(&to));
        let permit = self.check("notify", "share-evidence", &subject, Permission::Notify).await?;
        let bundle = self
            .evidence
            .as_ref()
            .ok_or_else(|| CapError::unsupported("there is no evidence bundle outside a git repository"))?;
        // Only a file the manifest lists: its names are the host's, so
        // no name a skill writes reaches beyond the bundle.
        let entry = bundle.entries()?.into_iter().find(|e| e.file == file).ok_or_else(|| {
            CapError::not_found(format!("the evidence bundle holds no file `{file}` (see evidence.entries)"))
        })?;
        let path = bundle.dir().join(&entry.file);
        if entry.size > notify::MAX_FILE {
            return Err(CapError::limit(format!("{file} is larger than {} MiB", notify::MAX_FILE >> 20)));
        }
        let bytes = std::fs::read(&path).map_err(|e| super::io_error(&format!("reading {file}"), e))?;
        let (slack, routing) = self.slack(&permit)?;
        let destination = Caps::destination(&routing, &to)?;
        let conversation = slack.conversation(&destination, true).await?;
        let shared = File { name: &entry.file, bytes: &bytes, title: &entry.caption };
        let id = slack.upload(&conversation, shared, &Mrkdwn::text(&comment)).await?;
        self.tell(crate::transcript::kind::NOTIFY, || {
            serde_json::json!({ "verb": "share-evidence", "to": target(&to), "conversation": conversation, "file": entry.file })
        });
        Ok(id)
    }
}

/// A failure to notify, as the guest hears it: the message with its hint.
impl From<notify::Error> for CapError {
    fn from(e: notify::Error) -> CapError {
        use notify::Error as E;
        let kind = match &e {
            E::NoToken { .. } | E::Config { .. } | E::Invalid(_) => ErrorKind::Invalid,
            E::NoMapping { .. } | E::NoOnCall { .. } | E::NoChannel(_) => ErrorKind::NotFound,
            E::Api { code, .. } if code.ends_with("not_found") => ErrorKind::NotFound,
            E::Api { code, .. }
                if matches!(
                    code.as_str(),
                    "invalid_auth"
                        | "not_authed"
                        | "token_revoked"
                        | "token_expired"
                        | "missing_scope"
                        | "account_inactive"
                ) =>
            {
                ErrorKind::Denied
            }
            E::RateLimited { .. } | E::TooLarge { .. } => ErrorKind::Limit,
            E::Transport { source, .. } if source.is_timeout() => ErrorKind::Timeout,
            _ => ErrorKind::Io,
        };
        let message = e.with_hint();
        match e {
            // What the connection said (refused, reset, TLS) is the cause.
            E::Transport { source, .. } => CapError::new(kind, message).because(source),
            _ => CapError::new(kind, message),
        }
    }
}
