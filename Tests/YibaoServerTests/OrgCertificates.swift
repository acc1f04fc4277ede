import Foundation
import YibaoTestSupport

/// A test PKI for mutual TLS, made with the `openssl` CLI in `<keys>/tls`: a CA, the node's certificate for
/// 127.0.0.1, and client certificates whose CN is an org code (`<code>.pem`, `<code>.key`).
enum OrgCertificates {
    static func make(in keysDirectory: String, clientCodes: [String]) async throws -> String {
        let directory = keysDirectory + "/tls"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var script = """
            set -eu
            key="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
            printf 'basicConstraints=critical,CA:TRUE\\nkeyUsage=critical,keyCertSign\\n' > ca.ext
            printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\nextendedKeyUsage=serverAuth\\n' > node.ext
            printf 'extendedKeyUsage=clientAuth\\n' > org.ext
            openssl req -new $key -keyout ca.key -out ca.csr -subj "/CN=Yibao test org CA"
            openssl x509 -req -in ca.csr -signkey ca.key -days 1 -extfile ca.ext -out ca.pem
            openssl req -new $key -keyout node.key -out node.csr -subj "/CN=localhost"
            openssl x509 -req -in node.csr -CA ca.pem -CAkey ca.key -set_serial 1 -days 1 -extfile node.ext -out node.pem

            """
        for (serial, code) in clientCodes.enumerated() {
            script += """
                openssl req -new $key -keyout \(code).key -out \(code).csr -subj "/O=Yibao test/CN=\(code)"
                openssl x509 -req -in \(code).csr -CA ca.pem -CAkey ca.key -set_serial \(serial + 2) -days 1 -extfile org.ext -out \(code).pem

                """
        }
        let status = try await ChildProcess.run("/bin/sh", ["-c", script], directory: directory, timeLimitSeconds: 60).status
        guard status == 0 else { throw CocoaError(.fileWriteUnknown, userInfo: ["openssl exit": status]) }
        return directory
    }
}
