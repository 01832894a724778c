import Foundation
import SignalboxTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A PostgreSQL server of one test's own, for a test that stops and starts it: the shared server
/// of scripts/test.sh serves other tests meanwhile. Started by the same `signalbox_ensure_postgres`
/// of scripts/lib/postgres.sh (cluster, user `postgres`, authentication, the login role and its
/// database), but in a fresh directory under /tmp and on a random loopback port, and removed at the end.
public final class PrivatePostgresServer {
    /// Whether a server can be started here: as root (it runs as user `postgres`), with a server
    /// installed (scripts/lib/postgres.sh checks its version).
    public static let canStart = getuid() == 0 && getpwnam("postgres") != nil
        && ((try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []).contains { version in
            FileManager.default.isExecutableFile(atPath: "/usr/lib/postgresql/\(version)/bin/pg_ctl")
        }
    public static let skipReason: Comment = "needs root, user postgres and a PostgreSQL 15+ server in /usr/lib/postgresql/*/bin"

    /// scripts/lib, beside this file's folder.
    private static let scripts = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("scripts/lib").path

    public let directory: String
    public private(set) var port = 0
    /// The URL `serve` reads as `database.url`.
    public private(set) var url = ""

    /// Initialises a cluster in a new directory, starts it on a free port and creates the role and
    /// its database.
    public init() async throws {
        guard Self.canStart else { throw Unavailable(description: "\(Self.skipReason)") }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("signalbox-pg-\(UUID().uuidString.prefix(8).lowercased())").path
        // Below Linux's ephemeral range, and below ServedPipeline's HTTP ports; another test's
        // server may hold one: take another.
        var attempt = 0
        while true {
            attempt += 1
            port = Int.random(in: 10_000...19_999)
            do {
                try await start()
                return
            } catch let failure as CommandLineTool.Failure
                where attempt < 5 && ["is taken", "could not bind"].contains(where: { failure.description.contains($0) }) {
                continue
            } catch {
                await remove()
                throw error
            }
        }
    }

    /// Starts the server (initialising it the first time) and waits until it accepts connections.
    public func start() async throws {
        let output = try await lib("signalbox_ensure_postgres && echo \"url=$SIGNALBOX_TEST_DATABASE_URL\"")
        guard let line = output.split(separator: "\n").last(where: { $0.hasPrefix("url=") }) else {
            throw Unavailable(description: "scripts/lib/postgres.sh printed no URL: \(output)")
        }
        url = String(line.dropFirst("url=".count))
    }

    /// Stops the server the fast way: connections are closed, nothing waits for clients.
    public func stop() async throws {
        try await lib(#"sb_as_postgres "$(sb_pg_bindir)/pg_ctl" stop -D "$(sb_pg_dir)/data" -m fast -w -t 60"#)
    }

    /// Stops the server if it runs and deletes its directory.
    public func remove() async {
        if FileManager.default.fileExists(atPath: "\(directory)/data/postmaster.pid") { try? await stop() }
        try? FileManager.default.removeItem(atPath: directory)
        try? FileManager.default.removeItem(atPath: "\(directory).lock")
    }

    /// The server's log, for failure messages.
    public var log: String {
        (try? String(contentsOfFile: "\(directory)/postgres.log", encoding: .utf8)) ?? ""
    }

    /// Runs `command` in bash with scripts/lib/postgres.sh sourced for this server's directory and
    /// port. The server outlives the script, holding what the script inherited: the script's end
    /// is seen by ``ChildProcess``, which asks the kernel, not the descriptors.
    @discardableResult
    private func lib(_ command: String) async throws -> String {
        try await CommandLineTool("bash").runDetached([
            "-c", """
            set -euo pipefail
            source "$0/broker.sh"; source "$0/postgres.sh"
            export SIGNALBOX_POSTGRES_DIR="$1" SIGNALBOX_POSTGRES_PORT="$2"
            unset SIGNALBOX_TEST_DATABASE_URL
            \(command)
            """,
            Self.scripts, directory, "\(port)",
        ])
    }

    /// Why no server could be started here.
    public struct Unavailable: Error, CustomStringConvertible {
        public let description: String
    }
}
