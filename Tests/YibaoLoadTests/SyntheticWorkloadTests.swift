import Testing
import YibaoDomain
import YibaoLoadSupport

/// The synthetic visits against the domain's own rules: good ones break none, bad ones break exactly the rule
/// their defect names, and keys follow the per-hospital sequence.
@Suite struct SyntheticWorkloadTests {
    let workload = SyntheticWorkload(hospitals: 7, seed: 42, defectShare: 0.25)

    @Test func goodVisitsPassEveryRuleAndBadOnesFailTheirOwn() {
        var defects: [RecordDefect: Int] = [:]
        for index in 0..<2_000 {
            let (invoice, settlement) = workload.visit(index)
            let invoiceProblems = invoice.problems(), settlementProblems = settlement.problems()
            switch workload.defect(ofVisit: index) {
            case nil:
                #expect(invoiceProblems.isEmpty, "visit \(index): \(invoiceProblems)")
                #expect(settlementProblems.isEmpty, "visit \(index): \(settlementProblems)")
            case let defect?:
                defects[defect, default: 0] += 1
                let (bad, good) = defect.inInvoice ? (invoiceProblems, settlementProblems) : (settlementProblems, invoiceProblems)
                #expect(good.isEmpty, "visit \(index): \(good)")
                #expect(bad.count == 1, "visit \(index) \(defect): \(bad)")
                #expect(bad.first?.code == .invalidArgument)
                #expect(bad.first?.message.contains(defect.expectedField) == true, "visit \(index) \(defect): \(bad)")
            }
        }
        #expect(Set(defects.keys) == Set(RecordDefect.allCases), "every defect kind occurs in 2,000 visits")
        let share = Double(defects.values.reduce(0, +)) / 2_000
        #expect(share > 0.2 && share < 0.3)
    }

    @Test func keysRunInSequencePerHospitalAndMatchTheRecords() {
        for hospital in 0..<7 {
            var numbers: [String] = []
            for sequence in 0..<50 {
                let index = workload.visitIndex(hospital: hospital, sequence: sequence)
                let keys = workload.keys(ofVisit: index)
                let (invoice, settlement) = workload.visit(index)
                #expect(invoice.invoiceCode == keys.invoiceCode && invoice.invoiceNumber == keys.invoiceNumber)
                #expect(invoice.checkCode == keys.checkCode && settlement.setlId == keys.setlId && invoice.setlId == keys.setlId)
                #expect(settlement.fixmedinsCode == SyntheticWorkload.hospitalCode(hospital))
                #expect(invoice.invoicingPartyCode == settlement.fixmedinsCode)
                numbers.append(keys.invoiceNumber)
            }
            #expect(numbers == numbers.sorted() && Set(numbers).count == numbers.count)
        }
    }

    @Test func residentIDsCarryTheirCheckCharacter() {
        var random = SplitMix64(seed: 7)
        for _ in 0..<500 {
            let id = SyntheticResidentID.make(&random)
            #expect(ResidentIDNumber.problem(id) == nil)
            #expect(ResidentIDNumber.problem(SyntheticResidentID.breakingCheck(id)) != nil)
        }
    }
}
