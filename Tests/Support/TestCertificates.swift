import Foundation

/// Certificates made at test time with the `openssl` command line, in a temp dir: a CA, a server certificate
/// for 127.0.0.1/localhost, a client certificate with CN=H46010600001 signed by the CA, and a client
/// certificate from another CA. Made once per test process (EC P-256 keys: quick).
public struct TestCertificates: Sendable {
    public let directory: String

    public func path(_ name: String) -> String { directory + "/" + name }

    public static let clientCommonName = "H46010600001"
    public static let clientSubject = "CN=H46010600001,O=Hainan Test Hospital,C=CN"

    /// The client certificate's SHA-256 fingerprint as the openssl CLI computed it, lowercase hex without colons.
    public func clientFingerprint() throws -> String {
        let line = try String(contentsOfFile: path("client.fingerprint"), encoding: .utf8)
        let hex = line.split(separator: "=").last.map(String.init) ?? ""
        return hex.filter { $0 != ":" && !$0.isWhitespace }.lowercased()
    }

    /// Shared by every TLS test in the process.
    public static let shared = Task<TestCertificates, any Error> { try await generate() }

    private static let script = #"""
    set -eu
    ec="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
    printf 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n' > ca.ext
    printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n' > server.ext
    printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n' > client.ext
    for ca in ca other-ca; do
      openssl req -new $ec -keyout $ca.key -out $ca.csr -subj "/O=Yibao Test/CN=Test $ca"
      openssl x509 -req -in $ca.csr -signkey $ca.key -days 2 -extfile ca.ext -out $ca.pem
    done
    leaf() {
      openssl req -new $ec -keyout $1.key -out $1.csr -subj "$2"
      openssl x509 -req -in $1.csr -CA $3.pem -CAkey $3.key -set_serial $4 -days 2 -extfile $5 -out $1.pem
    }
    leaf server "/CN=localhost" ca 1001 server.ext
    leaf client "/C=CN/O=Hainan Test Hospital/CN=H46010600001" ca 1002 client.ext
    leaf other-client "/CN=H46010600001" other-ca 1003 client.ext
    openssl x509 -in client.pem -noout -fingerprint -sha256 > client.fingerprint
    """#

    public static func generate() async throws -> TestCertificates {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("yibao-tls-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let status = try await ChildProcess.run("/bin/sh", ["-c", script], directory: directory, timeLimitSeconds: 60).status
        guard status == 0 else { throw CertificateGenerationFailed(status: status) }
        return TestCertificates(directory: directory)
    }

    public struct CertificateGenerationFailed: Error { public let status: Int32 }
}
