// yibao-fuzz FILE|DIR...: replays inputs through `FuzzTarget` without libFuzzer (a normal build), e.g. to
// reproduce a crash that scripts/fuzz saved. Built by scripts/fuzz (`-sanitize=fuzzer -DYIBAO_FUZZING`), it hands
// its arguments to libFuzzer's driver instead: SwiftPM links its own entry point, not libFuzzer's `main`.
import Foundation

#if YIBAO_FUZZING
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv, { fuzzOneInput($0, $1) }))
#endif

var replayed = 0
for argument in CommandLine.arguments.dropFirst() {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory) else {
        FileHandle.standardError.write(Data("yibao-fuzz: no such file \(argument)\n".utf8))
        exit(2)
    }
    let paths = isDirectory.boolValue
        ? try FileManager.default.contentsOfDirectory(atPath: argument).sorted().map { argument + "/" + $0 }
        : [argument]
    for path in paths {
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        bytes.withUnsafeBytes { FuzzTarget.run($0) }
        replayed += 1
    }
}
print("yibao-fuzz: replayed \(replayed) inputs, no failure")
