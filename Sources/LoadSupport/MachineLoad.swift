import Foundation

/// How busy the rest of the machine was while a part was timed, in cores: this machine is shared, and a figure
/// measured while someone else's tests ran is not comparable to one measured on an idle machine.
/// From /proc/stat (all CPUs) less this process's own CPU time (and that of the local processes under test);
/// steal is time the hypervisor gave to other guests.
public struct MachineLoad: Codable, Sendable {
    public let otherProcessesCores: Double
    public let stealCores: Double
    public let ioWaitCores: Double

    /// Call `finish` on what `start` returns, around the timed section.
    public struct Meter: Sendable {
        private let wallStart = MonotonicClock.nanoseconds()
        private let processStart = ProcessCPUTime.seconds()
        private let systemStart = SystemTimes.now()
        /// Local processes that are part of the measurement (a node under load), not "others".
        private let partners: [Int32]
        private let partnersStart: Double

        init(partners: [Int32]) {
            self.partners = partners
            partnersStart = partners.reduce(0) { $0 + (ProcessCPUTime.seconds(pid: $1) ?? 0) }
        }

        public static func start(alsoExcluding partners: [Int32] = []) -> Meter { Meter(partners: partners) }

        public func finish() -> MachineLoad {
            let wall = MonotonicClock.seconds(since: wallStart)
            let partnersNow = partners.reduce(0) { $0 + (ProcessCPUTime.seconds(pid: $1) ?? 0) }
            let ours = ProcessCPUTime.seconds() - processStart + max(0, partnersNow - partnersStart)
            let system = SystemTimes.now()
            guard wall > 0, let system, let systemStart else {
                return MachineLoad(otherProcessesCores: -1, stealCores: -1, ioWaitCores: -1)
            }
            func cores(_ seconds: Double) -> Double { (max(0, seconds) / wall * 100).rounded() / 100 }
            return MachineLoad(otherProcessesCores: cores(system.busy - systemStart.busy - ours),
                               stealCores: cores(system.steal - systemStart.steal),
                               ioWaitCores: cores(system.ioWait - systemStart.ioWait))
        }
    }

    /// The first line of /proc/stat, in seconds summed over all CPUs.
    struct SystemTimes: Sendable {
        let busy: Double
        let steal: Double
        let ioWait: Double

        static func now() -> SystemTimes? {
            guard let text = ProcFile.read("/proc/stat"),
                  let line = text.split(separator: "\n").first, line.hasPrefix("cpu ") else { return nil }
            // user nice system idle iowait irq softirq steal (guest time is already inside user)
            let ticks = line.split(separator: " ").dropFirst().compactMap { Double($0) }
            guard ticks.count >= 8 else { return nil }
            let hz = Double(sysconf(Int32(_SC_CLK_TCK)))
            return SystemTimes(busy: (ticks[0] + ticks[1] + ticks[2] + ticks[5] + ticks[6]) / hz,
                               steal: ticks[7] / hz, ioWait: ticks[4] / hz)
        }
    }
}
