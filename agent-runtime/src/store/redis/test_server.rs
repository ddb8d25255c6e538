//! A `redis-server` of a test's own, for the store's tests in this crate and
//! for the integration suite, where agents share a state store
//! (`SWML_STATE_URL`): two replicas as processes, an outage in the middle of
//! a call. One file for both: the suite includes it with `#[path]`, because
//! the store is private to this crate and the suite cannot reach it here.
//! Each side uses part of it, hence `dead_code` is allowed.
//!
//! The server listens on a free loopback port, keeps nothing on disk
//! (`--save "" --appendonly no`), and is killed when the fixture is dropped.
//! It can be stopped and started again on the same port (an outage), or
//! frozen and let go (a store that stops answering without closing its
//! connections).
//!
//! Without `redis-server` on the `PATH`, [`TestRedis::start`] prints a loud
//! `SKIPPED` line and returns `None`, unless `AGENT_REQUIRE_REDIS` is set
//! (CI sets it), in which case the test fails.
#![allow(dead_code)]

use std::io::{Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running (or stopped) `redis-server`.
pub(crate) struct TestRedis {
    port: u16,
    password: Option<String>,
    child: Option<Child>,
}

impl TestRedis {
    /// A server for `test`, or `None` when `redis-server` is not installed
    /// and not required.
    pub(crate) fn start(test: &str) -> Option<Self> {
        Self::launch(test, None)
    }

    /// A server that requires `password` (`requirepass`).
    pub(crate) fn with_password(test: &str, password: &str) -> Option<Self> {
        Self::launch(test, Some(password.to_owned()))
    }

    /// A server not started yet, on a port nothing listens on, for an
    /// agent that starts while its store is down; [`TestRedis::restart`]
    /// starts it.
    pub(crate) fn stopped(test: &str) -> Option<Self> {
        match Command::new("redis-server").arg("--version").output() {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                skipped(test);
                None
            }
            Err(e) => panic!("redis-server could not be started: {e}"),
            Ok(_) => Some(TestRedis {
                port: free_port(),
                password: None,
                child: None,
            }),
        }
    }

    fn launch(test: &str, password: Option<String>) -> Option<Self> {
        // The port is found free, then given to the server: another process
        // could take it in between, so a server that exits at once is tried
        // again on another port.
        for _ in 0..5 {
            let mut server = TestRedis {
                port: free_port(),
                password: password.clone(),
                child: None,
            };
            match server.spawn() {
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    skipped(test);
                    return None;
                }
                Err(e) => panic!("redis-server could not be started: {e}"),
                Ok(()) => {}
            }
            if server.wait_until_up() {
                return Some(server);
            }
        }
        panic!("redis-server did not start on any of 5 ports");
    }

    /// The URL an agent is given (`SWML_STATE_URL`), with the password when
    /// there is one.
    pub(crate) fn url(&self) -> String {
        match &self.password {
            Some(pw) => format!("redis://:{pw}@127.0.0.1:{}/0", self.port),
            None => format!("redis://127.0.0.1:{}/0", self.port),
        }
    }

    /// The port the server listens on (also while stopped).
    pub(crate) fn port(&self) -> u16 {
        self.port
    }

    /// The server's process id, while it runs.
    pub(crate) fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Kills the server (paused or not) and waits until it is gone.
    pub(crate) fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server again on the same port, empty, stopping it first
    /// if it runs.
    pub(crate) fn restart(&mut self) {
        self.stop();
        for _ in 0..20 {
            self.spawn().expect("redis-server starts again");
            if self.wait_until_up() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("redis-server did not start again on port {}", self.port);
    }

    /// Freezes the server (`SIGSTOP`): connections stay open and nothing
    /// answers.
    pub(crate) fn pause(&self) {
        self.signal("-STOP");
    }

    /// Lets a paused server run again (`SIGCONT`).
    pub(crate) fn resume(&self) {
        self.signal("-CONT");
    }

    /// Whether the server answers `PING` now.
    pub(crate) fn answers(&self) -> bool {
        answers(self.port)
    }

    fn signal(&self, signal: &str) {
        let pid = self.pid().expect("a running server");
        let status = Command::new("kill")
            .args([signal, &pid.to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill {signal} {pid}");
    }

    fn spawn(&mut self) -> std::io::Result<()> {
        let mut cmd = Command::new("redis-server");
        cmd.args(["--port", &self.port.to_string()])
            .args(["--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no", "--daemonize", "no"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if let Some(pw) = &self.password {
            cmd.args(["--requirepass", pw]);
        }
        self.child = Some(cmd.spawn()?);
        Ok(())
    }

    /// Whether the server answers within 10 s (false when it exited, e.g.
    /// because the port was taken).
    fn wait_until_up(&mut self) -> bool {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            let Some(child) = self.child.as_mut() else {
                return false;
            };
            if let Ok(Some(_)) = child.try_wait() {
                self.child = None;
                return false;
            }
            if answers(self.port) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        self.stop();
        false
    }
}

impl Drop for TestRedis {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Whether something on `port` answers `PING` like Redis (`+PONG`, or
/// `-NOAUTH` from a server with a password) within 500 ms.
fn answers(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
    if stream.write_all(b"PING\r\n").is_err() {
        return false;
    }
    let mut reply = [0u8; 64];
    match stream.read(&mut reply) {
        Ok(n) if n > 0 => reply.starts_with(b"+PONG") || reply.starts_with(b"-NOAUTH"),
        _ => false,
    }
}

fn free_port() -> u16 {
    TcpListener::bind(("127.0.0.1", 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

fn skipped(test: &str) {
    assert!(
        std::env::var_os("AGENT_REQUIRE_REDIS").is_none(),
        "{test}: AGENT_REQUIRE_REDIS is set but redis-server is not installed"
    );
    // Straight to the process's stderr: the test harness captures what
    // `eprintln!` writes and shows it only for failures.
    let line = format!(
        "\n*** SKIPPED (redis-server not installed): {test} -- install redis-server to run it ***\n"
    );
    let _ = std::io::stderr().write_all(line.as_bytes());
}

#[test]
fn the_fixture_runs_stops_restarts_and_freezes_a_server_on_its_port() {
    let Some(mut server) = TestRedis::start("the_fixture_runs_stops_restarts") else {
        return;
    };
    let port = server.port();
    assert_eq!(server.url(), format!("redis://127.0.0.1:{port}/0"));
    assert!(server.answers());

    server.stop();
    assert!(!server.answers(), "stopped");
    server.restart();
    assert_eq!(server.port(), port, "the same port");
    assert!(server.answers(), "started again");

    server.pause();
    assert!(!server.answers(), "frozen: connected, but no answer");
    server.resume();
    assert!(server.answers(), "running again");

    let pid = server.pid().expect("running");
    drop(server);
    let gone = Command::new("kill")
        .args(["-0", &pid.to_string()])
        .stderr(Stdio::null())
        .status()
        .expect("kill runs");
    assert!(!gone.success(), "the server is gone once the fixture is");

    let secured = TestRedis::with_password("the_fixture_with_a_password", "pw-123")
        .expect("installed: the first server ran");
    assert!(secured.url().starts_with("redis://:pw-123@127.0.0.1:"));
    assert!(secured.answers());

    let mut later = TestRedis::stopped("the_fixture_stopped").expect("installed");
    assert!(!later.answers());
    later.restart();
    assert!(later.answers());
}
