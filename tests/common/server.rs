//! The real binary for the tests that run it (tests/cli.rs, tests/operations.rs): a command
//! isolated from the caller's configuration, and `ta-tracker serve` as a child process whose
//! log is read line by line. Included by those crates with `#[path]`, not by `common`.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The binary with `args`, isolated from the caller's configuration.
pub fn command(args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ta-tracker"));
    cmd.args(args);
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("TA_TRACKER_") {
            cmd.env_remove(&key);
        }
    }
    cmd.env_remove("RUST_LOG");
    cmd
}

/// `ta-tracker serve` on a free port; its stderr read line by line; killed when dropped.
pub struct Server {
    pub child: Child,
    lines: mpsc::Receiver<String>,
    /// Every line read so far: up to saying it serves, once started.
    pub log: Vec<String>,
    /// Where it listens, host:port.
    pub addr: String,
}

impl Server {
    /// Starts `cmd` (a `serve` command) with `args` on a free port and waits until it says it
    /// listens.
    pub fn start_with(cmd: &mut Command, args: &[&str]) -> Server {
        let mut child = cmd
            .args(["--bind", "127.0.0.1:0", "--open", "false"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start the server");
        let stderr = child.stderr.take().expect("stderr");
        let (tx, lines) = mpsc::channel();
        // Reads to the end, so that the server never blocks on a full pipe.
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                let _ = tx.send(line);
            }
        });
        let mut server = Server {
            child,
            lines,
            log: Vec::new(),
            addr: String::new(),
        };
        let line = server.wait_for("ta-tracker is serving", Duration::from_secs(60));
        let at = line.rfind("http://").expect("the console's address") + "http://".len();
        let end = line[at..].find('/').expect("a path after the address");
        server.addr = line[at..at + end].to_string();
        server
    }

    /// The first line logged from now on, or already, that contains `text`.
    #[track_caller]
    pub fn wait_for(&mut self, text: &str, limit: Duration) -> String {
        if let Some(line) = self.log.iter().find(|l| l.contains(text)) {
            return line.clone();
        }
        let deadline = Instant::now() + limit;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.log.push(line.clone());
                    if line.contains(text) {
                        return line;
                    }
                }
                Err(_) => panic!("nothing logged with {text:?}: {:#?}", self.log),
            }
        }
    }

    /// The line read so far that contains `text`.
    #[track_caller]
    pub fn logged(&self, text: &str) -> &str {
        self.log
            .iter()
            .find(|l| l.contains(text))
            .unwrap_or_else(|| panic!("nothing logged with {text:?}: {:#?}", self.log))
    }

    /// Reads what is logged for `quiet` more: lines that would come without a request.
    pub fn settle(&mut self, quiet: Duration) {
        while let Ok(line) = self.lines.recv_timeout(quiet) {
            self.log.push(line);
        }
    }

    /// Sends one HTTP/1.0 request (its body comes whole, not in chunks); returns the status and
    /// the body.
    pub fn send(&self, method: &str, path: &str, token: Option<&str>, body: &str) -> (u16, String) {
        let mut stream = std::net::TcpStream::connect(&self.addr).expect("connect");
        let mut head = format!("{method} {path} HTTP/1.0\r\nHost: localhost\r\n");
        if let Some(token) = token {
            head.push_str(&format!("Authorization: Bearer {token}\r\n"));
        }
        if !body.is_empty() {
            head.push_str(&format!(
                "Content-Type: application/json\r\nContent-Length: {}\r\n",
                body.len()
            ));
        }
        write!(stream, "{head}\r\n{body}").expect("send");
        let mut response = String::new();
        stream.read_to_string(&mut response).expect("read");
        let status = response[9..12].parse().expect("status");
        let body = response.split_once("\r\n\r\n").map_or("", |(_, b)| b);
        (status, body.to_string())
    }

    /// GETs `path` with a bearer token; returns the status and the body.
    pub fn get(&self, path: &str, token: &str) -> (u16, String) {
        self.send("GET", path, Some(token), "")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
