//! What flows through a pipeline: the taint a command's output carries
//! (downloaded, decoded, secret, the environment), what it does with its
//! standard input, and what it prints when the line spells it out.

use super::call::Arg;

/// What a command's output carries, as far as the rules care.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Taint {
    /// Fetched from the network.
    pub network: bool,
    /// Decoded or unpacked: its content is not what the command line shows.
    pub decoded: bool,
    /// Read from a secret file.
    pub secret: bool,
    /// The environment (tokens and keys live there).
    pub env: bool,
}

impl Taint {
    pub const NETWORK: Taint = Taint { network: true, decoded: false, secret: false, env: false };
    pub const DECODED: Taint = Taint { network: false, decoded: true, secret: false, env: false };
    pub const SECRET: Taint = Taint { network: false, decoded: false, secret: true, env: false };
    pub const ENV: Taint = Taint { network: false, decoded: false, secret: false, env: true };

    pub fn union(self, o: Taint) -> Taint {
        Taint {
            network: self.network | o.network,
            decoded: self.decoded | o.decoded,
            secret: self.secret | o.secret,
            env: self.env | o.env,
        }
    }

    /// Code that did not come from the command line itself.
    pub fn foreign_code(self) -> bool {
        self.network || self.decoded
    }

    pub fn sensitive(self) -> bool {
        self.secret || self.env
    }
}

/// What a command does with its standard input.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Stdin {
    /// Reads it as data, or not at all.
    #[default]
    Data,
    /// Runs it as code (`sh`, `python -`).
    Code,
    /// Sends it over the network (`curl --data-binary @-`, `nc`).
    Upload,
}

/// A command's effect on the pipeline it stands in.
#[derive(Debug, Clone, Default)]
pub struct Flow {
    pub out: Taint,
    pub stdin: Stdin,
    /// Its output when the command line spells it out (`echo …`).
    pub text: Option<String>,
    /// When its output is a list of paths (`find`, `git ls-files`,
    /// `grep -l`): stand-ins for what it can list (`src/**`).
    pub found: Option<Vec<Arg>>,
}

impl Flow {
    pub const NONE: Flow = Flow {
        out: Taint { network: false, decoded: false, secret: false, env: false },
        stdin: Stdin::Data,
        text: None,
        found: None,
    };

    pub fn out(out: Taint) -> Flow {
        Flow { out, ..Flow::NONE }
    }

    pub fn stdin(stdin: Stdin) -> Flow {
        Flow { stdin, ..Flow::NONE }
    }
}
