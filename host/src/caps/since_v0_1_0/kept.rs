//! The 0.1.0 interfaces 0.2.0 kept as they were (it only added to them):
//! `types`, `log`, `workspace`, `process`, `git`, `ui`, `http`. Each
//! function is the 0.2.0 one, its records converted.

use super::Adapt;
use crate::caps::{CapError, Caps};
use crate::wit::grove::skill as v2;
use crate::wit::v0_1_0::grove::skill as v1;

type R<T> = Result<T, CapError>;

same_cases! {
    v1::types::Error = v2::types::Error {
        Denied(x), NotFound(x), Invalid(x), Io(x), Timeout(x), Limit(x), Unsupported(x), Failed(x),
    }
    v1::log::Level = v2::log::Level { Trace, Debug, Info, Warn, Error }
    v1::workspace::EntryKind = v2::workspace::EntryKind { File, Directory, Symlink, Other }
    v1::git::ChangeKind = v2::git::ChangeKind {
        Added, Modified, Deleted, Renamed, Copied, TypeChanged, Untracked, Conflicted,
    }
    v1::ui::ReportFormat = v2::ui::ReportFormat { Text, Markdown, Html }
}

same_records! {
    v1::workspace::Metadata = v2::workspace::Metadata { kind, size, modified_ms, readonly }
    v1::workspace::Entry = v2::workspace::Entry { path, kind, size }
    v1::process::Command = v2::process::Command {
        program, args, cwd, env, stdin, timeout_ms, output_limit,
    }
    v1::process::Output = v2::process::Output { code, stdout, stderr, truncated, timed_out, duration_ms }
    v1::git::StatusEntry = v2::git::StatusEntry { path, staged, unstaged }
    v1::git::ChangedFile = v2::git::ChangedFile { path, old_path, change, additions, deletions, binary }
    v1::git::FileChurn = v2::git::FileChurn { path, additions, deletions }
    v1::git::CommitInfo = v2::git::CommitInfo { id, summary, author, email, time, parents, files }
    v1::git::LogQuery = v2::git::LogQuery { from, max_count, path, with_files, skip_merges }
    v1::git::HeadInfo = v2::git::HeadInfo { branch, commit }
    v1::http::Request = v2::http::Request { method, url, headers, body, timeout_ms }
    v1::http::Response = v2::http::Response { status, headers, body }
}

impl v1::types::Host for Caps {
    /// The same error a 0.2.0 call gets, in 0.1.0's type: the same cases.
    fn convert_error(&mut self, e: CapError) -> wasmtime::Result<v1::types::Error> {
        Ok(e.into_guest()?.adapt())
    }
}

impl v1::log::Host for Caps {
    async fn log(&mut self, level: v1::log::Level, message: String) -> wasmtime::Result<()> {
        v2::log::Host::log(self, level.adapt(), message).await
    }

    async fn progress(&mut self, label: String, done: u64, total: u64) -> wasmtime::Result<()> {
        v2::log::Host::progress(self, label, done, total).await
    }
}

impl v1::workspace::Host for Caps {
    async fn read(&mut self, path: String) -> R<Vec<u8>> {
        v2::workspace::Host::read(self, path).await
    }

    async fn read_text(&mut self, path: String) -> R<String> {
        v2::workspace::Host::read_text(self, path).await
    }

    async fn write(&mut self, path: String, contents: Vec<u8>) -> R<()> {
        v2::workspace::Host::write(self, path, contents).await
    }

    async fn list(&mut self, path: String) -> R<Vec<v1::workspace::Entry>> {
        Ok(v2::workspace::Host::list(self, path).await?.adapt())
    }

    async fn glob(&mut self, pattern: String) -> R<Vec<v1::workspace::Entry>> {
        Ok(v2::workspace::Host::glob(self, pattern).await?.adapt())
    }

    async fn stat(&mut self, path: String) -> R<v1::workspace::Metadata> {
        Ok(v2::workspace::Host::stat(self, path).await?.adapt())
    }

    async fn remove(&mut self, path: String) -> R<()> {
        v2::workspace::Host::remove(self, path).await
    }

    async fn rename(&mut self, from: String, to: String) -> R<()> {
        v2::workspace::Host::rename(self, from, to).await
    }
}

impl v1::process::Host for Caps {
    async fn run(&mut self, cmd: v1::process::Command) -> R<v1::process::Output> {
        Ok(v2::process::Host::run(self, cmd.adapt()).await?.adapt())
    }
}

impl v1::git::Host for Caps {
    async fn status(&mut self) -> R<Vec<v1::git::StatusEntry>> {
        Ok(v2::git::Host::status(self).await?.adapt())
    }

    async fn diff(&mut self, base: Option<String>) -> R<String> {
        v2::git::Host::diff(self, base).await
    }

    async fn changed_files(&mut self, base: Option<String>) -> R<Vec<v1::git::ChangedFile>> {
        Ok(v2::git::Host::changed_files(self, base).await?.adapt())
    }

    async fn log(&mut self, query: v1::git::LogQuery) -> R<Vec<v1::git::CommitInfo>> {
        Ok(v2::git::Host::log(self, query.adapt()).await?.adapt())
    }

    async fn head(&mut self) -> R<v1::git::HeadInfo> {
        Ok(v2::git::Host::head(self).await?.adapt())
    }

    async fn commit_message(&mut self, rev: String) -> R<String> {
        v2::git::Host::commit_message(self, rev).await
    }

    async fn session_base(&mut self) -> R<Option<String>> {
        v2::git::Host::session_base(self).await
    }

    async fn commit(&mut self, message: String, paths: Option<Vec<String>>) -> R<String> {
        v2::git::Host::commit(self, message, paths).await
    }
}

impl v1::ui::Host for Caps {
    async fn report(&mut self, title: String, body: String, format: v1::ui::ReportFormat) -> R<()> {
        v2::ui::Host::report(self, title, body, format.adapt()).await
    }

    async fn ask(&mut self, question: String, choices: Vec<String>, default: Option<u32>) -> R<u32> {
        v2::ui::Host::ask(self, question, choices, default).await
    }

    async fn messages(&mut self) -> R<Vec<String>> {
        v2::ui::Host::messages(self).await
    }
}

impl v1::http::Host for Caps {
    async fn send(&mut self, req: v1::http::Request) -> R<v1::http::Response> {
        Ok(v2::http::Host::send(self, req.adapt()).await?.adapt())
    }
}
