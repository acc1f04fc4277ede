/// The demo orgs a node creates on its first start without an org registry, so the README quickstart works at
/// once. Their private keys sit in plain files next to the ledger: for development only.
enum DevelopmentOrgs {
    struct Org {
        let code: String
        /// The registry role string (a bureau carries its region: `insurance_bureau:4601`).
        let role: String
        let description: String
    }

    static let folderName = "dev-orgs"
    static let registryFileName = "registry.json"

    static let orgs: [Org] = [
        Org(code: "H46010600001", role: "hospital", description: "demo hospital (海口市人民医院, region 460106)"),
        Org(code: "F46000000001", role: "invoice_platform", description: "demo e-invoice platform (财政电子票据平台)"),
        Org(code: "B4601", role: "insurance_bureau:4601", description: "demo medical-insurance bureau, region 4601"),
        Org(code: "K46000000001", role: "bank", description: "demo payment bank"),
        Org(code: "C46000000001", role: "channel", description: "demo channel (commercial insurer)"),
        Org(code: "A46000000001", role: "auditor", description: "demo auditor (read-only)"),
    ]

    static func keyFileName(_ code: String) -> String { code + ".pem" }

    static let readme = """
        DEVELOPMENT ONLY -- NOT FOR PRODUCTION
        =======================================

        yibao-server created this folder on its first start because no org registry was configured
        (--org-registry / YIBAO_ORG_REGISTRY / org_registry in the config file).

        registry.json   the org registry the node applied: six demo orgs with their SM2 public keys
        <ORG>.pem       each demo org's SM2 PRIVATE key, in plain text, readable by anyone who can read this folder

        Anyone holding these files can write to this ledger as these orgs. Use them to try the node and the
        `yibao` CLI (see the README's quickstart), never for real data. A production node is started with
        --org-registry naming a registry of the real orgs' public keys, on an empty data folder, and never
        creates this folder.

        Orgs:
        \(orgs.map { "  \($0.code.padding(toLength: 14, withPad: " ", startingAt: 0)) \($0.role.padding(toLength: 22, withPad: " ", startingAt: 0)) \($0.description)" }.joined(separator: "\n"))

        """
}

extension DevelopmentOrgs {
    /// What the node prints (stdout) after starting on the development registry: the orgs and the commands that
    /// use them, ready to paste.
    static func usage(folder: String, listen: ListenAddress, development: Bool) -> String {
        let keys = folder + "/" + folderName
        var lines = [
            "================================================================================",
            " DEVELOPMENT ORG REGISTRY -- for trying the node, never for real data",
            " \(keys)/ holds the demo orgs' PRIVATE keys (README.txt there says more).",
            "================================================================================",
            "",
            " org            role                   key",
        ]
        for org in orgs {
            lines.append(" \(org.code.padding(toLength: 14, withPad: " ", startingAt: 0)) "
                         + "\(org.role.padding(toLength: 22, withPad: " ", startingAt: 0)) \(keys)/\(keyFileName(org.code))")
        }
        lines += [
            "",
            " Use them with the CLI (signed calls; see README.md, Quickstart):",
            "   swift build -c release --product yibao && export PATH=\"$PWD/.build/release:$PATH\"",
            "   export YIBAO_SERVER=\(listen) YIBAO_KEYS=\(keys)",
            "   yibao invoice issue --org F46000000001 examples/issue-invoices.json",
            "   yibao invoice get   --org H46010600001 examples/get-invoice.json",
            "   yibao ledger tree-head --org A46000000001 --body '{}'",
            development ? " Development mode is ON: calls with only --org (no key) are accepted too."
                        : " Calls must be signed (a node started with --dev also accepts unsigned ones).",
            "================================================================================",
        ]
        return lines.joined(separator: "\n")
    }
}
