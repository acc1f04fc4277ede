import ArgumentParser
import Foundation

/// `yibao`: the Yibao Ledger command line.
struct Yibao: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "yibao",
        abstract: "Yibao Ledger client: every yibao.v1 API method, offline verification, proofs and keys.",
        discussion: """
            API commands read the request as JSON (proto field names in snake_case) from a file, from stdin \
            (`-` or a pipe) or from --body, and print a table, or the response as JSON with --json. \
            Connection: --server (YIBAO_SERVER), --org (YIBAO_ORG), --key PEM or --keys DIR holding <ORG>.pem \
            (YIBAO_KEY, YIBAO_KEYS), TLS flags, --timeout.
            Exit codes: 0 ok, 1 the call failed (gRPC status printed) or the operation could not run, 2 usage, \
            3 verification failed, 4 connection failed, 5 a batch had refused records.
            """,
        subcommands: [InvoiceCommands.self, SettlementCommands.self, AccountCommands.self, AuthorizationCommands.self,
                      LedgerCommands.self, VerifyCommand.self, BackupCommand.self, RebuildStateCommand.self, ProofCommands.self, KeysCommands.self])
}

@main
enum YibaoEntry {
    static func main() async {
        do {
            var command = try Yibao.parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            exit(ExitStatus.ok.rawValue)
        } catch let failure as CLIFailure {
            Console.error("yibao: " + failure.message)
            exit(failure.status.rawValue)
        } catch {
            // ArgumentParser's own outcomes: help and version exit 0, everything else is a usage error.
            let message = Yibao.fullMessage(for: error)
            if Yibao.exitCode(for: error).isSuccess {
                print(message)
                exit(ExitStatus.ok.rawValue)
            }
            Console.error(message)
            exit(ExitStatus.usage.rawValue)
        }
    }
}
