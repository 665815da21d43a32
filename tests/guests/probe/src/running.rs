//! The probe's commands for `process.running`: programs that keep running
//! while the skill works, and servers reached from outside their sandbox.

use std::time::{Duration, Instant};

use grove_sdk::prelude::*;
use grove_sdk::process::{Command, Running};

/// What the program printed so far, both streams.
fn printed(running: &Running) -> Result<String> {
    let (out, err) = running.output()?;
    Ok(format!("{}{}", String::from_utf8_lossy(&out), String::from_utf8_lossy(&err)))
}

pub fn probe(command: &str, rest: &[String]) -> Result<Outcome> {
    let arg = |i: usize| rest.get(i).cloned().unwrap_or_default();
    let program =
        |from: usize| Command::new(arg(from)).args(rest.get(from + 1..).unwrap_or_default().to_vec());
    match command {
        // `start MARKER PROGRAM ARGS…`: start it, wait until its output
        // says MARKER, stop it; what it printed and how it ended.
        "start" => {
            let running = Running::start(&program(1), None)?;
            let waited = Instant::now();
            while !printed(&running)?.contains(&arg(0)) {
                if waited.elapsed().as_secs() > 20 {
                    return Ok(Outcome::fail(format!("never said {:?}: {}", arg(0), printed(&running)?)));
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let before = running.try_wait()?;
            let stopped = running.stop()?;
            let after = running.try_wait()?.map(|e| e.code);
            Ok(Outcome::ok(format!(
                "running={} stopped={:?} after={after:?} address={:?}\n{}",
                before.is_none(),
                stopped.code,
                running.address()?,
                printed(&running)?.trim()
            )))
        }
        // `start-leave PROGRAM ARGS…`: start it and end the run with it
        // still running, its handle never dropped.
        "start-leave" => {
            let running = Running::start(&program(0), None)?;
            std::mem::forget(running);
            Ok(Outcome::ok("left running"))
        }
        // `start-flood LIMIT PROGRAM ARGS…`: start it with an output limit,
        // wait for it to end; how much of each stream was kept.
        "start-flood" => {
            let limit = arg(0).parse().unwrap_or(1000);
            let running = Running::start(&program(1).output_limit(limit), None)?;
            let waited = Instant::now();
            let exited = loop {
                if let Some(exited) = running.try_wait()? {
                    break exited;
                }
                if waited.elapsed().as_secs() > 60 {
                    return Ok(Outcome::fail("it never ended"));
                }
                std::thread::sleep(Duration::from_millis(50));
            };
            // Its pipes may still hold the last bytes: they are read on.
            std::thread::sleep(Duration::from_millis(300));
            let (out, err) = running.output()?;
            Ok(Outcome::ok(format!("code={:?} stdout={} stderr={}", exited.code, out.len(), err.len())))
        }
        // `serve PORT PROGRAM ARGS…`: start it to serve on PORT (0: any),
        // write its address to `address.txt` in the workspace, and keep it
        // running until a file `stop` appears there; then stop it.
        "serve" => {
            let port = arg(0).parse().unwrap_or(0);
            let running = Running::start(&program(1), Some(port))?;
            let address =
                running.address()?.ok_or_else(|| Error::failed("a served program has no address"))?;
            // Renamed into place, so the test never reads half of it.
            workspace::write("address.tmp", address.as_bytes())?;
            workspace::rename("address.tmp", "address.txt")?;
            let waited = Instant::now();
            while workspace::stat("stop").is_err() {
                if let Some(exited) = running.try_wait()? {
                    let output = printed(&running)?;
                    return Ok(Outcome::fail(format!("it ended ({:?}): {output}", exited.code)));
                }
                if waited.elapsed().as_secs() > 60 {
                    return Ok(Outcome::fail("never told to stop"));
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let stopped = running.stop()?;
            let output = printed(&running)?;
            Ok(Outcome::ok(format!("served at {address}; stopped={:?}\n{}", stopped.code, output.trim())))
        }
        other => Err(Error::invalid(format!("unknown probe command {other:?}"))),
    }
}
