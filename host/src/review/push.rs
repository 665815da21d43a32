//! Pushing with git2, as the user's git would: credentials from their
//! setup (the SSH agent, git's credential helpers, the default), and every
//! ref the remote refused reported as an error rather than passed over.

use std::cell::RefCell;

use git2::{Cred, CredentialType, FetchOptions, PushOptions, RemoteCallbacks, Repository};

#[derive(Debug, thiserror::Error)]
pub enum PushError {
    #[error("the remote `{remote}` does not exist")]
    NoRemote { remote: String },
    #[error("the remote refused {refname}: {message}")]
    Rejected { refname: String, message: String },
    #[error("git: {0}")]
    Git(#[from] git2::Error),
}

/// Callbacks that find credentials the way git does and report refusals
/// into `rejected`.
fn callbacks<'a>(repo: &'a Repository, rejected: &'a RefCell<Vec<(String, String)>>) -> RemoteCallbacks<'a> {
    let mut callbacks = RemoteCallbacks::new();
    let mut tried = 0;
    callbacks.credentials(move |url, username, allowed| {
        // libgit2 asks again after a refusal: give up after a few.
        tried += 1;
        if tried > 4 {
            return Err(git2::Error::from_str("no credentials the remote accepts"));
        }
        if allowed.contains(CredentialType::SSH_KEY)
            && let Some(user) = username
        {
            return Cred::ssh_key_from_agent(user);
        }
        if allowed.contains(CredentialType::USER_PASS_PLAINTEXT)
            && let Ok(config) = repo.config()
            && let Ok(cred) = Cred::credential_helper(&config, url, username)
        {
            return Ok(cred);
        }
        if allowed.contains(CredentialType::USERNAME) {
            return Cred::username(username.unwrap_or("git"));
        }
        Cred::default()
    });
    callbacks.push_update_reference(move |refname, status| {
        if let Some(message) = status {
            rejected.borrow_mut().push((refname.to_string(), message.to_string()));
        }
        Ok(())
    });
    callbacks
}

/// Push `refspecs` to `remote`; an error for each ref it refused.
pub fn push(repo: &Repository, remote: &str, refspecs: &[&str]) -> Result<(), PushError> {
    let mut remote_handle =
        repo.find_remote(remote).map_err(|_| PushError::NoRemote { remote: remote.to_string() })?;
    let rejected = RefCell::new(Vec::new());
    let mut options = PushOptions::new();
    options.remote_callbacks(callbacks(repo, &rejected));
    remote_handle.push(refspecs, Some(&mut options))?;
    drop(options);
    if let Some((refname, message)) = rejected.into_inner().into_iter().next() {
        return Err(PushError::Rejected { refname, message });
    }
    Ok(())
}

/// Fetch `refspecs` from `remote`; a ref the remote lacks is no error.
pub fn fetch(repo: &Repository, remote: &str, refspecs: &[&str]) -> Result<(), PushError> {
    let mut remote_handle =
        repo.find_remote(remote).map_err(|_| PushError::NoRemote { remote: remote.to_string() })?;
    let rejected = RefCell::new(Vec::new());
    let mut options = FetchOptions::new();
    options.remote_callbacks(callbacks(repo, &rejected));
    match remote_handle.fetch(refspecs, Some(&mut options), None) {
        Ok(()) => Ok(()),
        // A branch not on the remote yet.
        Err(e) if e.message().contains("couldn't find remote ref") => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// The URL of `remote`, if it has one.
pub fn remote_url(repo: &Repository, remote: &str) -> Option<String> {
    repo.find_remote(remote).ok()?.url().map(str::to_string)
}
