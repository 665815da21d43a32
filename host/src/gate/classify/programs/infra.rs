//! Containers, clusters, infrastructure as code and cloud CLIs: reads are
//! medium (they reach remote systems with the user's credentials), changes
//! and even wholesale deletions are high (a human may mean them), and a
//! container given the host's rights is critical.

use super::super::Zone;
use super::super::walk::{Call, Flow, Walker};
use crate::gate::level::Level;

pub fn judge(w: &mut Walker<'_, '_>, c: &Call<'_>) -> Option<Flow> {
    let line = c.line();
    // `docker compose ps`: the subcommand is the word after `compose`.
    let sub = match c.sub() {
        Some("compose") => c.operands().nth(1).map_or("", |a| a.text.as_str()),
        other => other.unwrap_or(""),
    };
    // Work on local files only: formatting, linting, rendering.
    if matches!(
        (c.name, sub),
        ("terraform" | "tofu", "fmt" | "validate") | ("helm", "lint" | "template") | ("kustomize", "build")
    ) {
        w.a.writes();
        return Some(Flow::NONE);
    }
    match c.name {
        "docker" | "podman" | "nerdctl" | "docker-compose" => {
            // A host folder mounted in: `-v /:/h`, `--volume=$HOME:/h`,
            // `--mount type=bind,source=/,…`.
            let mounts_host = c.args.windows(2).any(|p| {
                let value = match (p[0].text.as_str(), p[1].text.as_str()) {
                    ("-v" | "--volume" | "--mount", v) => v,
                    (f, _) if f.starts_with("--volume=") || f.starts_with("--mount=") => {
                        f.split_once('=').map_or("", |x| x.1)
                    }
                    _ => return false,
                };
                let source = value
                    .split(',')
                    .find_map(|kv| kv.strip_prefix("source=").or_else(|| kv.strip_prefix("src=")))
                    .unwrap_or_else(|| value.split(':').next().unwrap_or(""));
                let arg = super::super::walk::Arg::lit(source);
                source.starts_with('/')
                    && w.locate(&arg).is_some_and(|at| {
                        matches!(
                            at.zone,
                            Zone::FsRoot
                                | Zone::Home
                                | Zone::System
                                | Zone::Secret
                                | Zone::Startup
                                | Zone::Device
                        )
                    })
            });
            let breakout = mounts_host
                || c.args.windows(2).any(|p| p[0].is("--pid") && p[1].is("host"))
                || c.args.iter().any(|a| {
                    a.is("--privileged")
                        || a.text.starts_with("--privileged=true")
                        || a.text.starts_with("--pid=host")
                        || a.text.starts_with("--net=host")
                        || a.text.starts_with("--network=host")
                        || a.text.contains("docker.sock")
                        || a.text == "/:/host"
                        || a.text.starts_with("/:/")
                        || a.text.starts_with("--cap-add=ALL")
                        || a.text.starts_with("--cap-add=SYS_ADMIN")
                });
            if breakout {
                w.a.raise(
                    Level::Critical,
                    "container.breakout",
                    format!("{line} gives a container the host's rights"),
                );
            } else if matches!(
                sub,
                "ps" | "images"
                    | "logs"
                    | "inspect"
                    | "version"
                    | "info"
                    | "stats"
                    | "top"
                    | "history"
                    | "diff"
                    | "port"
                    | "search"
            ) {
                w.a.raise(Level::Low, "container.read", format!("{line} reads container state"));
            } else if matches!(sub, "system" | "volume" | "network")
                && c.args.iter().any(|a| a.is("prune") || a.is("rm"))
                || c.args.iter().any(|a| a.is("prune"))
            {
                w.a.raise(
                    Level::High,
                    "container.prune",
                    format!("{line} deletes containers, images or volumes"),
                );
            } else {
                w.a.raise(Level::High, "container.change", format!("{line} runs or changes containers"));
            }
        }
        "kubectl" | "oc" | "k9s" | "helm" | "kustomize" | "minikube" | "kind" | "k3d" => {
            let reads = matches!(
                sub,
                "get"
                    | "describe"
                    | "logs"
                    | "top"
                    | "explain"
                    | "version"
                    | "api-resources"
                    | "config-view"
                    | "diff"
                    | "list"
                    | "status"
                    | "history"
                    | "template"
                    | "lint"
                    | "show"
                    | "search"
                    | "build"
                    | "cluster-info"
                    | "auth"
            );
            let wipes = sub == "delete"
                && c.args.iter().any(|a| {
                    a.is("--all")
                        || a.is("namespace")
                        || a.is("ns")
                        || a.text.starts_with("--all-namespaces")
                        || a.is("-A")
                });
            if wipes {
                w.a.raise(
                    Level::High,
                    "k8s.delete-all",
                    format!("{line} deletes a namespace or everything in it"),
                );
            } else if reads {
                w.a.raise(Level::Medium, "k8s.read", format!("{line} reads a cluster with your credentials"));
            } else {
                w.a.raise(Level::High, "k8s.change", format!("{line} changes a cluster"));
            }
        }
        "terraform" | "tofu" | "terragrunt" | "pulumi" | "cdk" | "serverless" | "sls" | "ansible"
        | "ansible-playbook" | "packer" | "vagrant" => {
            let destroys = sub == "destroy" || c.args.iter().any(|a| a.is("-destroy") || a.is("--destroy"));
            let auto = c.args.iter().any(|a| {
                a.text.starts_with("-auto-approve") || a.is("--yes") || a.is("-y") || a.is("--force")
            });
            let reads = matches!(
                sub,
                "plan"
                    | "validate"
                    | "fmt"
                    | "show"
                    | "output"
                    | "version"
                    | "providers"
                    | "graph"
                    | "init"
                    | "preview"
                    | "synth"
                    | "list"
                    | "console"
            ) || (c.name.starts_with("ansible")
                && c.args.iter().any(|a| a.is("--check") || a.is("--syntax-check") || a.is("--list-hosts")));
            if destroys || (auto && sub == "apply" && c.name != "ansible") {
                w.a.raise(
                    Level::High,
                    "iac.destroy",
                    format!("{line} destroys or changes infrastructure without review"),
                );
            } else if reads {
                w.a.raise(
                    Level::Medium,
                    "iac.read",
                    format!("{line} reads infrastructure state with your credentials"),
                );
            } else {
                w.a.raise(Level::High, "iac.change", format!("{line} changes real infrastructure"));
            }
        }
        "aws" | "gcloud" | "gsutil" | "az" | "doctl" | "flyctl" | "fly" | "heroku" | "vercel" | "netlify"
        | "firebase" | "wrangler" | "eksctl" | "s3cmd" | "oci" => {
            let words: Vec<&str> = c
                .args
                .iter()
                .filter(|a| a.known && !a.text.starts_with('-'))
                .map(|a| a.text.as_str())
                .collect();
            let verb = words
                .iter()
                .find(|v| {
                    v.contains('-')
                        || [
                            "ls", "rm", "cp", "mv", "sync", "deploy", "delete", "list", "describe", "get",
                            "create", "update",
                        ]
                        .contains(v)
                })
                .copied()
                .unwrap_or(sub);
            let reads = [
                "describe", "list", "get", "ls", "show", "whoami", "info", "status", "logs", "version",
                "help",
            ]
            .iter()
            .any(|r| verb.starts_with(r));
            let destroys = ["delete", "terminate", "remove", "rm", "destroy", "purge", "rb"]
                .iter()
                .any(|d| verb.starts_with(d));
            let recursive = c.has(None, &["recursive", "force", "quiet"]);
            if destroys && recursive {
                w.a.raise(Level::High, "cloud.destroy", format!("{line} deletes cloud resources wholesale"));
            } else if reads {
                w.a.raise(
                    Level::Medium,
                    "cloud.read",
                    format!("{line} reads cloud resources with your credentials"),
                );
            } else {
                w.a.raise(Level::High, "cloud.change", format!("{line} changes cloud resources"));
            }
        }
        _ => return None,
    }
    Some(Flow::NONE)
}
