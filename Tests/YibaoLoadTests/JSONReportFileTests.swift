import Foundation
import Testing
import YibaoLoadSupport

/// A benchmark's `--json` summary lands in a results folder that may not exist yet: the writer creates it, and what
/// it wrote reads back as the same figures.
@Suite struct JSONReportFileTests {
    struct Figures: Codable, Equatable {
        let operationsPerSecond: Double
        let commit: String
    }

    @Test func createsTheMissingFolderAndWritesFiguresThatReadBack() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("json-report-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let path = root.appendingPathComponent("2026-12-08T0120Z-domain-check/summary.json").path
        #expect(!FileManager.default.fileExists(atPath: root.path))

        let figures = Figures(operationsPerSecond: 15_203.5, commit: "8d563a7")
        try JSONReportFile.write(figures, to: path)

        let read = try JSONDecoder().decode(Figures.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(read == figures)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.firstRange(of: "\"commit\"")!.lowerBound < text.firstRange(of: "\"operationsPerSecond\"")!.lowerBound,
                "keys are sorted, so two summaries diff line by line")
    }

    @Test func aPathThatCannotBeAFolderThrows() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("json-report-file-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data("not a folder".utf8).write(to: file)
        #expect(throws: (any Error).self) {
            try JSONReportFile.write(Figures(operationsPerSecond: 1, commit: "x"), to: file.path + "/summary.json")
        }
    }
}
