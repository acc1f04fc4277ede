"""A Python grpcio client of the Yibao API (yibao.v1), built from Protos/ at test time, for YibaoServerTests.

  yibao_api_client.py <port> <protos-dir> <keys-dir> <scenario>...

<keys-dir> holds `<org>.pem` (SM2 private keys of the registered orgs, written by the Swift test) and `orgs.json`
(their codes by role). Calls are signed as docs/api.md ("Identity") says (metadata yibao-org, yibao-timestamp,
yibao-signature-bin); the signature is made by the `openssl` CLI, the request digest and every Merkle hash by the
SM3 implementation below, written from GB/T 32905 for this client. Output: one JSON object per line,
{"scenario", "check", "ok", "got", "want"} for every expectation, plus {"scenario", "value", ...} for values the
Swift test compares across runs.
"""
import json
import os
import struct
import subprocess
import sys
import tempfile
import threading
import time

import grpc

# --- SM3 (GB/T 32905-2016) -------------------------------------------------------------------------------------

_IV = [0x7380166F, 0x4914B2B9, 0x172442D7, 0xDA8A0600, 0xA96F30BC, 0x163138AA, 0xE38DEE4D, 0xB0FB0E4E]
_M = 0xFFFFFFFF


def _rotl(x, n):
    n %= 32
    return ((x << n) | (x >> (32 - n))) & _M


def _p0(x):
    return x ^ _rotl(x, 9) ^ _rotl(x, 17)


def _p1(x):
    return x ^ _rotl(x, 15) ^ _rotl(x, 23)


def sm3(data: bytes) -> bytes:
    length = len(data) * 8
    data = data + b"\x80" + b"\x00" * ((56 - (len(data) + 1) % 64) % 64) + struct.pack(">Q", length)
    v = list(_IV)
    for offset in range(0, len(data), 64):
        w = list(struct.unpack(">16I", data[offset:offset + 64]))
        for j in range(16, 68):
            w.append(_p1(w[j - 16] ^ w[j - 9] ^ _rotl(w[j - 3], 15)) ^ _rotl(w[j - 13], 7) ^ w[j - 6])
        w1 = [w[j] ^ w[j + 4] for j in range(64)]
        a, b, c, d, e, f, g, h = v
        for j in range(64):
            t = 0x79CC4519 if j < 16 else 0x7A879D8A
            ss1 = _rotl((_rotl(a, 12) + e + _rotl(t, j)) & _M, 7)
            ss2 = ss1 ^ _rotl(a, 12)
            if j < 16:
                ff, gg = a ^ b ^ c, e ^ f ^ g
            else:
                ff, gg = (a & b) | (a & c) | (b & c), (e & f) | (~e & g)
            tt1 = (ff + d + ss2 + w1[j]) & _M
            tt2 = (gg + h + ss1 + w[j]) & _M
            d, c, b, a = c, _rotl(b, 9), a, tt1
            h, g, f, e = g, _rotl(f, 19), e, _p0(tt2)
        v = [x ^ y for x, y in zip(v, [a, b, c, d, e, f, g, h])]
    return struct.pack(">8I", *v)


# --- RFC 9162 Merkle verification with SM3 (docs/ledger.md: leaf SM3(0x00 || entry), node SM3(0x01 || l || r)) --

def leaf_hash(entry: bytes) -> bytes:
    return sm3(b"\x00" + entry)


def node_hash(left: bytes, right: bytes) -> bytes:
    return sm3(b"\x01" + left + right)


def root_from_inclusion(index, size, leaf, path):
    """RFC 9162 section 2.1.3.2; None when the path does not fit the index and size."""
    if index >= size:
        return None
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return r if sn == 0 else None


def consistent(first, second, first_root, second_root, path):
    """RFC 9162 section 2.1.4.2."""
    if first == second:
        return not path and first_root == second_root
    if first == 0 or first > second:
        return False
    if first & (first - 1) == 0:
        path = [first_root] + list(path)
    if not path:
        return False
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == first_root and sr == second_root


# --- the client ----------------------------------------------------------------------------------------------

class Api:
    def __init__(self, port, protos_dir, keys_dir):
        out = tempfile.mkdtemp(prefix="yibao-api-py-")
        protos = [f"yibao/v1/{name}" for name in sorted(os.listdir(os.path.join(protos_dir, "yibao/v1")))]
        subprocess.run(["protoc", f"-I{protos_dir}", f"--python_out={out}"] + protos, check=True)
        sys.path.insert(0, out)
        from yibao.v1 import account_pb2, authorization_pb2, common_pb2, invoice_pb2, ledger_pb2, settlement_pb2
        self.account, self.auth, self.common = account_pb2, authorization_pb2, common_pb2
        self.invoice, self.ledger, self.settlement = invoice_pb2, ledger_pb2, settlement_pb2
        self.keys_dir = keys_dir
        self.protos_dir = protos_dir
        with open(os.path.join(keys_dir, "orgs.json")) as f:
            self.orgs = json.load(f)
        self.port = port
        self.channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        self.clock_offset_ms = 0

    def sign(self, org, message: bytes, key_org=None) -> bytes:
        key = os.path.join(self.keys_dir, f"{key_org or org}.pem")
        result = subprocess.run(
            ["openssl", "pkeyutl", "-sign", "-inkey", key, "-rawin", "-digest", "sm3",
             "-pkeyopt", "distid:1234567812345678"], input=message, capture_output=True, check=True)
        return result.stdout

    def metadata(self, method, org, body: bytes, mode="signed"):
        """mode: signed | unsigned | none | stale | wrong_key | wrong_method | wrong_digest | future"""
        if mode == "none":
            return []
        if mode == "unsigned":
            return [("yibao-org", org)]
        now = int(time.time() * 1000)
        timestamp = {"stale": now - 600_000, "future": now + 600_000}.get(mode, now)
        signed_method = "/yibao.v1.LedgerService/GetEntry" if mode == "wrong_method" else method
        digest = sm3(body + (b"x" if mode == "wrong_digest" else b""))
        message = (b"yibao-call-v1" + bytes([len(signed_method)]) + signed_method.encode()
                   + bytes([len(org)]) + org.encode() + struct.pack(">Q", timestamp) + digest)
        signature = self.sign(org, message, key_org=self.orgs["bank"] if mode == "wrong_key" else None)
        return [("yibao-org", org), ("yibao-timestamp", str(timestamp)), ("yibao-signature-bin", signature)]

    def call(self, service, method, request, response_type, org, mode="signed"):
        """(code, response or None, details); code 0 is OK."""
        path = f"/yibao.v1.{service}/{method}"
        body = request.SerializeToString()
        stub = self.channel.unary_unary(path, request_serializer=lambda b: b,
                                        response_deserializer=response_type.FromString)
        try:
            return 0, stub(body, metadata=self.metadata(path, org, body, mode), timeout=30), ""
        except grpc.RpcError as error:
            return error.code().value[0], None, error.details()

    def stream_metadata(self, path, org):
        return self.metadata(path, org, b"")


class Report:
    def __init__(self, scenario):
        self.scenario = scenario
        self.failures = 0

    def expect(self, check, got, want):
        ok = got == want
        if not ok:
            self.failures += 1
        print(json.dumps({"scenario": self.scenario, "check": check, "ok": ok, "got": repr(got), "want": repr(want)}),
              flush=True)
        return ok

    def code(self, check, result, want):
        code, _, details = result
        ok = self.expect(check, code, want)
        if not ok:
            print(json.dumps({"scenario": self.scenario, "check": check + ".details", "ok": False, "got": details,
                              "want": ""}), flush=True)
        return result[1]

    def value(self, name, value):
        print(json.dumps({"scenario": self.scenario, "value": name, "data": value}), flush=True)


# --- fixtures (docs/requirements.md, Invoices: one consistent invoice / settlement pair) ------------------------------------------------

CERTNO = "11010519491231002X"


def blue_invoice(api, number, setl_id="", check_code="a1B2c3"):
    pb = api.invoice
    return pb.Invoice(
        invoice_code="46010624", invoice_number=number, check_code=check_code,
        invoice_kind=pb.INVOICE_KIND_OUTPATIENT, issue_time="2024-03-01 10:20:30",
        invoicing_party_code=api.orgs["hospital"], invoicing_party_name="海口市人民医院",
        payer_type=pb.PAYER_TYPE_INDIVIDUAL, payer_code=CERTNO, payer_name="张三", payer_phone="13800138000",
        bus_no=f"MZ-{number}", total_amount=10_000, fund_pay_amount=6_000, account_pay_amount=1_500,
        own_pay_amount=2_500, self_pay_amount=1_200, other_pay_amount=0, medical_insurance_type="职工基本医疗保险",
        medical_insurance_id="46000012345678", medical_date="2024-03-01", setl_id=setl_id,
        items=[pb.InvoiceItem(code="A01", name="西药费", quantity_ten_thousandths=15_000, amount=7_000),
               pb.InvoiceItem(code="B02", name="检查费", quantity_ten_thousandths=10_000, amount=3_000)])


def red_invoice(api, blue, number):
    red = api.invoice.Invoice()
    red.CopyFrom(blue)
    red.invoice_number = number
    red.check_code = "Z9y8X7"
    red.bus_no = blue.bus_no + "-R"
    for field in ("total_amount", "fund_pay_amount", "account_pay_amount", "own_pay_amount", "self_pay_amount"):
        setattr(red, field, -getattr(blue, field))
    for item in red.items:
        item.quantity_ten_thousandths = -item.quantity_ten_thousandths
        item.amount = -item.amount
    red.related_invoice_code = blue.invoice_code
    red.related_invoice_number = blue.invoice_number
    return red


def settlement(api, setl_id):
    return api.settlement.Settlement(
        setl_id=setl_id, mdtrt_id="M" + setl_id[1:], psn_no="46000012345678", psn_name="张三", psn_cert_type="01",
        certno=CERTNO, insutype="310", psn_type="11", med_type="11", setl_time="2024-03-01 11:00:00",
        fixmedins_code=api.orgs["hospital"], fixmedins_name="海口市人民医院", medfee_sumamt=10_000,
        fulamt_ownpay_amt=500, preselfpay_amt=700, inscp_scp_amt=8_800, hifp_pay=5_000, hifmi_pay=1_000,
        fund_pay_sumamt=6_000, psn_part_amt=4_000, acct_pay=1_500, psn_cash_pay=2_500, balc=88_000,
        clr_type="11", clr_way="1", clr_optins="460100", invono="0000000001",
        details=[api.settlement.FundPayDetail(fund_pay_type="310100", fund_payamt=5_000),
                 api.settlement.FundPayDetail(fund_pay_type="390200", fund_payamt=1_000)])


def ref(api, invoice, check_code=None):
    return api.common.InvoiceReference(invoice_code=invoice.invoice_code, invoice_number=invoice.invoice_number,
                                       check_code=check_code if check_code is not None else invoice.check_code)


def codes(results):
    return [r.error.code if r.WhichOneof("outcome") == "error" else 0 for r in results]


# --- scenarios -------------------------------------------------------------------------------------------------

def verify_on_ledger(api, report, org, receipt, label):
    """Fetches the entry and a proof against the newest signed head, and checks both with our own SM3, plus the
    head's SM2 signature with openssl against the node key the head carries."""
    L = api.ledger
    entry = report.code(f"{label}.get_entry", api.call("LedgerService", "GetEntry", L.GetEntryRequest(
        tx_hash=receipt.tx_hash), L.GetEntryResponse, org), 0)
    if entry is None:
        return
    report.expect(f"{label}.leaf_hash_is_tx_hash", leaf_hash(entry.entry.leaf_bytes), receipt.tx_hash)
    report.expect(f"{label}.entry_index", entry.entry.ledger_index, receipt.ledger_index)
    head = report.code(f"{label}.tree_head", api.call("LedgerService", "GetTreeHead", L.GetTreeHeadRequest(),
                                                        L.GetTreeHeadResponse, org), 0)
    if head is None:
        return
    head = head.head
    proof = report.code(f"{label}.inclusion_proof", api.call("LedgerService", "GetInclusionProof", L.GetInclusionProofRequest(
        tx_hash=receipt.tx_hash, tree_size=head.tree_size), L.GetInclusionProofResponse, org), 0)
    if proof is None:
        return
    root = root_from_inclusion(proof.ledger_index, proof.tree_size, leaf_hash(entry.entry.leaf_bytes), list(proof.path))
    report.expect(f"{label}.proof_root_matches_signed_head", root, head.root)
    signed = b"yibao-sth-v1" + struct.pack(">QQ", head.tree_size, head.timestamp_ms) + head.root
    report.expect(f"{label}.signed_bytes", head.signed_bytes, signed)
    with tempfile.TemporaryDirectory() as d:
        paths = {name: os.path.join(d, name) for name in ("key.der", "sig", "msg")}
        for name, data in (("key.der", head.node_public_key), ("sig", head.signature), ("msg", signed)):
            with open(paths[name], "wb") as f:
                f.write(data)
        verified = subprocess.run(
            ["openssl", "pkeyutl", "-verify", "-pubin", "-keyform", "DER", "-inkey", paths["key.der"], "-rawin",
             "-digest", "sm3", "-pkeyopt", "distid:1234567812345678", "-sigfile", paths["sig"], "-in", paths["msg"]],
            capture_output=True)
        report.expect(f"{label}.head_signature_valid", verified.returncode, 0)


def scenario_flow(api, report):
    """Every method of every service once, the error mappings, a mixed batch, the invoice lifecycle."""
    I, S, A, Z, L, C = api.invoice, api.settlement, api.account, api.auth, api.ledger, api.common
    platform, hospital, bureau = api.orgs["invoice_platform"], api.orgs["hospital"], api.orgs["insurance_bureau"]
    channel, auditor = api.orgs["channel"], api.orgs["auditor"]
    report.expect("sm3_abc", sm3(b"abc").hex(), "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0")

    blue1 = blue_invoice(api, "0000000001", setl_id="S460106202403010001")
    bad_sum = blue_invoice(api, "0000000002")
    bad_sum.total_amount = 9_999
    blue2 = blue_invoice(api, "0000000003")
    bad_kind = blue_invoice(api, "0000000004")
    bad_kind.invoice_kind = I.INVOICE_KIND_UNSPECIFIED
    blue3 = blue_invoice(api, "0000000005")
    issue = I.IssueInvoicesRequest(request_id="flow-issue-1", invoices=[blue1, bad_sum, blue2, bad_kind, blue3])
    code, response, details = api.call("InvoiceService", "IssueInvoices", issue, I.IssueInvoicesResponse, platform)
    report.expect("issue.mixed_batch.call", code, 0)
    if response is None:
        return
    report.expect("issue.mixed_batch.codes", codes(response.results), [0, 3, 0, 3, 0])
    report.expect("issue.bad_sum_names_its_record", response.results[1].error.message.startswith("invoices[1]"), True)
    report.expect("issue.bad_kind_names_field", response.results[3].error.message.startswith("invoices[3].invoice_kind"), True)
    receipt1 = response.results[0].receipt
    early_head = api.call("LedgerService", "GetTreeHead", L.GetTreeHeadRequest(), L.GetTreeHeadResponse, platform)[1]
    report.expect("issue.receipt_tx_hash_32_bytes", len(receipt1.tx_hash), 32)
    report.expect("issue.receipt_in_tree", receipt1.ledger_index < receipt1.tree_size, True)
    report.expect("issue.receipt_commit_time", receipt1.commit_time_ms > 0, True)
    again = report.code("issue.retry_same_request_id", api.call("InvoiceService", "IssueInvoices", issue,
                                                                I.IssueInvoicesResponse, platform), 0)
    if again is not None:
        report.expect("issue.retry_same_receipts", [r.receipt.tx_hash for r in again.results if r.HasField("receipt")],
                      [r.receipt.tx_hash for r in response.results if r.HasField("receipt")])
    report.code("issue.missing_request_id", api.call("InvoiceService", "IssueInvoices", I.IssueInvoicesRequest(
        invoices=[blue1]), I.IssueInvoicesResponse, platform), 3)
    report.code("issue.empty_batch", api.call("InvoiceService", "IssueInvoices", I.IssueInvoicesRequest(
        request_id="flow-empty"), I.IssueInvoicesResponse, platform), 3)
    different = blue_invoice(api, "0000000001", setl_id="S460106202403010001")
    different.total_amount, different.own_pay_amount, different.items[0].amount = 10_100, 2_600, 7_100
    dup = report.code("issue.duplicate_key_call", api.call("InvoiceService", "IssueInvoices", I.IssueInvoicesRequest(
        request_id="flow-dup", invoices=[different]), I.IssueInvoicesResponse, platform), 0)
    if dup is not None:
        report.expect("issue.duplicate_key_already_exists", codes(dup.results), [6])
    hospital_issue = report.code("issue.hospital_record_denied", api.call("InvoiceService", "IssueInvoices",
        I.IssueInvoicesRequest(request_id="flow-h-issue-2", invoices=[blue_invoice(api, "0000000010")]),
        I.IssueInvoicesResponse, hospital), 0)
    if hospital_issue is not None:
        report.expect("issue.hospital_record_permission_denied", codes(hospital_issue.results), [7])

    # Settlements: upload (mixed), auto link, get, trace, reconcile.
    s1 = settlement(api, "S460106202403010001")
    bad_s = settlement(api, "S460106202403010002")
    bad_s.fund_pay_sumamt = 1
    up = report.code("upload.call", api.call("SettlementService", "UploadSettlements", S.UploadSettlementsRequest(
        request_id="flow-up-1", settlements=[s1, bad_s]), S.UploadSettlementsResponse, hospital), 0)
    if up is not None:
        report.expect("upload.mixed_codes", codes(up.results), [0, 3])
    changed = settlement(api, "S460106202403010001")
    changed.balc = 1
    up2 = report.code("upload.changed_call", api.call("SettlementService", "UploadSettlements", S.UploadSettlementsRequest(
        request_id="flow-up-2", settlements=[changed]), S.UploadSettlementsResponse, hospital), 0)
    if up2 is not None:
        report.expect("upload.changed_already_exists", codes(up2.results), [6])
    got = report.code("settlement.get", api.call("SettlementService", "GetSettlement", S.GetSettlementRequest(
        setl_id="S460106202403010001"), S.GetSettlementResponse, hospital), 0)
    if got is not None:
        report.expect("settlement.amount", got.settlement.medfee_sumamt, 10_000)
        report.expect("settlement.status", got.state.status, S.SETTLEMENT_STATUS_UPLOADED)
        report.expect("settlement.auto_linked", [k.invoice_number for k in got.linked_invoices], ["0000000001"])
    report.code("settlement.get_unknown", api.call("SettlementService", "GetSettlement", S.GetSettlementRequest(
        setl_id="S999"), S.GetSettlementResponse, hospital), 5)
    report.code("settlement.get_by_channel_denied", api.call("SettlementService", "GetSettlement", S.GetSettlementRequest(
        setl_id="S460106202403010001"), S.GetSettlementResponse, channel), 7)
    pair = report.code("reconcile.pair", api.call("SettlementService", "Reconcile", S.ReconcileRequest(
        pair=S.ReconcilePair(invoice_code="46010624", invoice_number="0000000001")), S.ReconcileResponse, hospital), 0)
    if pair is not None:
        report.expect("reconcile.pair_consistent", (pair.pair.consistent, list(pair.pair.mismatches)), (True, []))
    rng = report.code("reconcile.range", api.call("SettlementService", "Reconcile", S.ReconcileRequest(
        range=S.ReconcileRange(institution=hospital, **{"from": "2024-03-01"}, through="2024-03-01")),
        S.ReconcileResponse, bureau), 0)
    if rng is not None:
        report.expect("reconcile.range_compared", (rng.range.compared, rng.range.consistent, rng.range.complete), (1, 1, True))
        report.expect("reconcile.range_invoices_without_settlement", rng.range.invoices_without_settlement_count, 2)
    report.code("reconcile.bad_range", api.call("SettlementService", "Reconcile", S.ReconcileRequest(
        range=S.ReconcileRange(institution=hospital, **{"from": "2024-03-02"}, through="2024-03-01")),
        S.ReconcileResponse, bureau), 3)
    report.code("reconcile.no_target", api.call("SettlementService", "Reconcile", S.ReconcileRequest(),
                                                S.ReconcileResponse, bureau), 3)
    report.code("link.explicit", api.call("SettlementService", "LinkInvoice", S.LinkInvoiceRequest(
        request_id="flow-link-1", invoice=ref(api, blue2), setl_id="S460106202403010001"), C.WriteResponse, hospital), 0)
    report.code("link.unknown_settlement", api.call("SettlementService", "LinkInvoice", S.LinkInvoiceRequest(
        request_id="flow-link-2", invoice=ref(api, blue3), setl_id="S460106209999999999"), C.WriteResponse, hospital), 5)

    # The lifecycle (docs/requirements.md, Lifecycles) by the bureau: lock, enter, a second entry refused, revoke entry.
    def act(method, rid, org=bureau, invoice=blue1, check=None):
        return api.call("InvoiceService", method, I.InvoiceActionRequest(
            request_id=rid, invoice=ref(api, invoice, check)), C.WriteResponse, org)
    report.code("lock", act("LockInvoice", "flow-lock-1"), 0)
    report.code("lock.again_failed_precondition", act("LockInvoice", "flow-lock-2"), 9)
    report.code("lock.by_hospital_denied", act("LockInvoice", "flow-lock-3", org=hospital, invoice=blue2), 7)
    report.code("lock.wrong_check_code", act("LockInvoice", "flow-lock-4", invoice=blue2, check="000000"), 3)
    report.code("lock.unknown_invoice", act("LockInvoice", "flow-lock-5", invoice=blue_invoice(api, "0000009999")), 5)
    report.code("record_entry", act("RecordEntry", "flow-entry-1"), 0)
    report.code("record_entry.twice_failed_precondition", act("RecordEntry", "flow-entry-2"), 9)
    report.code("revoke_entry", act("RevokeEntry", "flow-revoke-entry-1"), 0)
    report.code("lock.second_time", act("LockInvoice", "flow-lock-6"), 0)
    report.code("unlock", act("UnlockInvoice", "flow-unlock-1"), 0)
    report.code("unlock.when_issued_failed_precondition", act("UnlockInvoice", "flow-unlock-2"), 9)
    report.code("exchange_paper", api.call("InvoiceService", "ExchangePaper", I.ExchangePaperRequest(
        request_id="flow-paper-1", invoice=ref(api, blue2), exchange_time="2024-03-02 09:00:00"), C.WriteResponse, platform), 0)
    report.code("exchange_paper.twice", api.call("InvoiceService", "ExchangePaper", I.ExchangePaperRequest(
        request_id="flow-paper-2", invoice=ref(api, blue2), exchange_time="2024-03-02 09:00:00"), C.WriteResponse, platform), 9)
    report.code("reverse", api.call("InvoiceService", "ReverseInvoice", I.ReverseInvoiceRequest(
        request_id="flow-reverse-1", red_invoice=red_invoice(api, blue3, "0000000006")), C.WriteResponse, platform), 0)
    report.code("reverse.missing_red_invoice", api.call("InvoiceService", "ReverseInvoice", I.ReverseInvoiceRequest(
        request_id="flow-reverse-2"), C.WriteResponse, platform), 3)
    report.code("lock.reversed_failed_precondition", act("LockInvoice", "flow-lock-7", invoice=blue3), 9)

    # Reads of invoices.
    inv = report.code("get_invoice", api.call("InvoiceService", "GetInvoice", I.GetInvoiceRequest(
        invoice_code="46010624", invoice_number="0000000001"), I.GetInvoiceResponse, hospital), 0)
    if inv is not None:
        report.expect("get_invoice.total_amount_fen", inv.invoice.total_amount, 10_000)
        report.expect("get_invoice.payer_name", inv.invoice.payer_name, "张三")
        report.expect("get_invoice.state", inv.state.status, I.INVOICE_STATUS_ISSUED)
        report.expect("get_invoice.linked", inv.linked_setl_id, "S460106202403010001")
    rev = report.code("get_invoice.reversed", api.call("InvoiceService", "GetInvoice", I.GetInvoiceRequest(
        invoice_code="46010624", invoice_number="0000000005"), I.GetInvoiceResponse, platform), 0)
    if rev is not None:
        report.expect("get_invoice.reversed_flags", (rev.state.status, rev.state.reversed, rev.state.reversed_by.invoice_number),
                      (I.INVOICE_STATUS_REVERSED, True, "0000000006"))
    report.code("get_invoice.unknown", api.call("InvoiceService", "GetInvoice", I.GetInvoiceRequest(
        invoice_code="46010624", invoice_number="0000009999"), I.GetInvoiceResponse, platform), 5)
    report.code("get_invoice.wrong_check_code", api.call("InvoiceService", "GetInvoice", I.GetInvoiceRequest(
        invoice_code="46010624", invoice_number="0000000001", check_code="zzzzzz"), I.GetInvoiceResponse, platform), 3)
    trace = report.code("trace_invoice", api.call("InvoiceService", "TraceInvoice", I.TraceInvoiceRequest(
        invoice_code="46010624", invoice_number="0000000001"), C.TraceResponse, bureau), 0)
    if trace is not None:
        report.expect("trace_invoice.kinds", [s.kind_name for s in trace.steps], [
            "invoice_issued", "settlement_uploaded", "invoice_locked", "invoice_entered", "invoice_entry_revoked",
            "invoice_locked", "invoice_unlocked"])
        report.expect("trace_invoice.first_is_receipt", trace.steps[0].tx_hash if trace.steps else b"", receipt1.tx_hash)
    page = report.code("trace_invoice.paged", api.call("InvoiceService", "TraceInvoice", I.TraceInvoiceRequest(
        invoice_code="46010624", invoice_number="0000000001", limit=2), C.TraceResponse, bureau), 0)
    if page is not None and trace is not None:
        report.expect("trace_invoice.next_page", page.next_page_after, trace.steps[1].ledger_index)
    trace_s = report.code("trace_settlement", api.call("SettlementService", "TraceSettlement", S.TraceSettlementRequest(
        setl_id="S460106202403010001"), C.TraceResponse, hospital), 0)
    if trace_s is not None:
        report.expect("trace_settlement.kinds", [s.kind_name for s in trace_s.steps],
                      ["settlement_uploaded", "invoice_settlement_linked"])

    # Accounts.
    account = report.code("get_account", api.call("AccountService", "GetAccount", A.GetAccountRequest(certno=CERTNO),
                                                  A.GetAccountResponse, platform), 0)
    if account is not None:
        report.expect("get_account.counts", (account.account.invoice_count, account.account.settlement_count), (4, 1))
    report.code("get_account.by_psn_no", api.call("AccountService", "GetAccount", A.GetAccountRequest(
        psn_no="46000012345678"), A.GetAccountResponse, bureau), 0)
    report.code("get_account.unknown", api.call("AccountService", "GetAccount", A.GetAccountRequest(
        certno="110105194912310037"), A.GetAccountResponse, platform), 5)
    report.code("get_account.by_hospital_denied", api.call("AccountService", "GetAccount", A.GetAccountRequest(
        certno=CERTNO), A.GetAccountResponse, hospital), 7)
    records = report.code("list_account_records", api.call("AccountService", "ListAccountRecords",
        A.ListAccountRecordsRequest(certno=CERTNO, page_size=2), A.ListAccountRecordsResponse, platform), 0)
    if records is not None:
        report.expect("list_account_records.page", (len(records.records), records.next_page_after != 0), (2, True))
        report.expect("list_account_records.newest_first",
                      records.records[0].ledger_index > records.records[1].ledger_index, True)

    # Authorization: grant, a channel's reads under it, usage, revoke.
    now = int(time.time() * 1000)
    grant = report.code("grant_access", api.call("AuthorizationService", "GrantAccess", Z.GrantAccessRequest(
        request_id="flow-grant-1", certno=CERTNO, channel=channel, scope=Z.GRANT_SCOPE_NAMED_INVOICES,
        invoices=[ref(api, blue1)], valid_from_ms=now - 60_000, valid_until_ms=now + 3_600_000, purpose="商保理赔"),
        Z.GrantAccessResponse, platform), 0)
    report.code("grant_access.bad_scope", api.call("AuthorizationService", "GrantAccess", Z.GrantAccessRequest(
        request_id="flow-grant-2", certno=CERTNO, channel=channel, valid_from_ms=now, valid_until_ms=now + 1000),
        Z.GrantAccessResponse, platform), 3)
    report.code("grant_access.by_channel_denied", api.call("AuthorizationService", "GrantAccess", Z.GrantAccessRequest(
        request_id="flow-grant-3", certno=CERTNO, channel=channel, scope=Z.GRANT_SCOPE_ALL_INVOICES,
        valid_from_ms=now, valid_until_ms=now + 1000), Z.GrantAccessResponse, channel), 7)
    if grant is not None:
        report.expect("grant_access.id_is_tx_hash", grant.grant_id, grant.receipt.tx_hash)
        report.code("channel.reads_granted_invoice", api.call("InvoiceService", "GetInvoice", I.GetInvoiceRequest(
            invoice_code="46010624", invoice_number="0000000001"), I.GetInvoiceResponse, channel), 0)
        report.code("channel.reads_other_invoice_denied", api.call("InvoiceService", "GetInvoice", I.GetInvoiceRequest(
            invoice_code="46010624", invoice_number="0000000003"), I.GetInvoiceResponse, channel), 7)
        report.code("record_usage", api.call("AuthorizationService", "RecordUsage", Z.RecordUsageRequest(
            request_id="flow-usage-1", grant_id=grant.grant_id, invoice=C.InvoiceKey(invoice_code="46010624",
            invoice_number="0000000001"), read_time_ms=int(time.time() * 1000), purpose="理赔"), C.WriteResponse, channel), 0)
        report.code("record_usage.bad_grant_id", api.call("AuthorizationService", "RecordUsage", Z.RecordUsageRequest(
            request_id="flow-usage-2", grant_id=b"\x01\x02", invoice=C.InvoiceKey(invoice_code="46010624",
            invoice_number="0000000001"), read_time_ms=now), C.WriteResponse, channel), 3)
        grants = report.code("list_grants", api.call("AuthorizationService", "ListGrants", Z.ListGrantsRequest(
            certno=CERTNO), Z.ListGrantsResponse, platform), 0)
        if grants is not None:
            report.expect("list_grants.one_live_used", [(g.status, g.usage_count) for g in grants.grants],
                          [(Z.GRANT_STATUS_LIVE, 1)])
        usage = report.code("list_usage", api.call("AuthorizationService", "ListUsage", Z.ListUsageRequest(
            grant_id=grant.grant_id), Z.ListUsageResponse, channel), 0)
        if usage is not None:
            report.expect("list_usage.one", [u.invoice.invoice_number for u in usage.usages], ["0000000001"])
        report.code("revoke_access", api.call("AuthorizationService", "RevokeAccess", Z.RevokeAccessRequest(
            request_id="flow-revoke-grant-1", grant_id=grant.grant_id, certno=CERTNO), C.WriteResponse, platform), 0)
        report.code("revoke_access.twice", api.call("AuthorizationService", "RevokeAccess", Z.RevokeAccessRequest(
            request_id="flow-revoke-grant-2", grant_id=grant.grant_id, certno=CERTNO), C.WriteResponse, platform), 9)
        report.code("channel.after_revoke_denied", api.call("InvoiceService", "GetInvoice", I.GetInvoiceRequest(
            invoice_code="46010624", invoice_number="0000000001"), I.GetInvoiceResponse, channel), 7)

    # Settlement revocation last (it flags the link).
    revoke = S.RevokeSettlementRequest(request_id="flow-revoke-s-1", setl_id="S460106202403010001",
                                       mdtrt_id="M460106202403010001", psn_no="46000012345678",
                                       revoke_time="2024-03-05 10:00:00", reason="撤销")
    report.code("revoke_settlement", api.call("SettlementService", "RevokeSettlement", revoke, C.WriteResponse, hospital), 0)
    revoke.request_id = "flow-revoke-s-2"
    report.code("revoke_settlement.twice", api.call("SettlementService", "RevokeSettlement", revoke, C.WriteResponse, hospital), 9)
    revoke.request_id, revoke.setl_id = "flow-revoke-s-3", "S460106209999999999"
    report.code("revoke_settlement.unknown", api.call("SettlementService", "RevokeSettlement", revoke, C.WriteResponse, hospital), 5)

    # The ledger service.
    head = report.code("tree_head", api.call("LedgerService", "GetTreeHead", L.GetTreeHeadRequest(), L.GetTreeHeadResponse,
                                             hospital), 0)
    report.code("tree_head.unsigned_size", api.call("LedgerService", "GetTreeHead", L.GetTreeHeadRequest(tree_size=10**9),
                                                    L.GetTreeHeadResponse, hospital), 5)
    report.code("inclusion_proof.index_beyond", api.call("LedgerService", "GetInclusionProof", L.GetInclusionProofRequest(
        ledger_index=10**9), L.GetInclusionProofResponse, hospital), 3)
    report.code("inclusion_proof.unknown_hash", api.call("LedgerService", "GetInclusionProof", L.GetInclusionProofRequest(
        tx_hash=b"\x00" * 32), L.GetInclusionProofResponse, hospital), 5)
    report.code("inclusion_proof.no_leaf", api.call("LedgerService", "GetInclusionProof", L.GetInclusionProofRequest(),
                                                    L.GetInclusionProofResponse, hospital), 3)
    if head is not None and early_head is not None:
        first = early_head.head.tree_size
        c = report.code("consistency_proof", api.call("LedgerService", "GetConsistencyProof", L.GetConsistencyProofRequest(
            first_tree_size=first, second_tree_size=head.head.tree_size), L.GetConsistencyProofResponse, hospital), 0)
        report.code("tree_head.at_earlier_size", api.call("LedgerService", "GetTreeHead", L.GetTreeHeadRequest(
            tree_size=first), L.GetTreeHeadResponse, hospital), 0)
        if c is not None:
            report.expect("consistency_proof.verifies", consistent(first, head.head.tree_size, early_head.head.root,
                                                                   head.head.root, list(c.path)), True)
    report.code("consistency_proof.zero", api.call("LedgerService", "GetConsistencyProof", L.GetConsistencyProofRequest(
        first_tree_size=0), L.GetConsistencyProofResponse, hospital), 3)
    report.code("get_entry.genesis_for_anyone", api.call("LedgerService", "GetEntry", L.GetEntryRequest(ledger_index=0),
                                                         L.GetEntryResponse, hospital), 0)
    report.code("get_entry.others_denied", api.call("LedgerService", "GetEntry", L.GetEntryRequest(
        tx_hash=receipt1.tx_hash), L.GetEntryResponse, hospital), 7)
    report.code("get_entry.auditor", api.call("LedgerService", "GetEntry", L.GetEntryRequest(tx_hash=receipt1.tx_hash),
                                              L.GetEntryResponse, auditor), 0)
    report.code("get_entry.beyond", api.call("LedgerService", "GetEntry", L.GetEntryRequest(ledger_index=10**9),
                                             L.GetEntryResponse, auditor), 5)
    # A request that is not the method's message: INTERNAL naming the message type (docs/api.md, Errors).
    path = "/yibao.v1.InvoiceService/GetInvoice"
    garbage = b"\x0a\xff\xff\xff"
    raw = api.channel.unary_unary(path, request_serializer=lambda b: b, response_deserializer=I.GetInvoiceResponse.FromString)
    try:
        raw(garbage, metadata=api.metadata(path, platform, garbage), timeout=30)
        report.expect("undecodable_request", 0, 13)
    except grpc.RpcError as error:
        report.expect("undecodable_request", (error.code().value[0], "yibao.v1.GetInvoiceRequest" in error.details()), (13, True))
    verify_on_ledger(api, report, platform, receipt1, "proof")


def scenario_proof(api, report):
    """Issues (or re-issues, idempotently) one invoice, reads it back, verifies its inclusion proof with our SM3."""
    I = api.invoice
    platform = api.orgs["invoice_platform"]
    blue = blue_invoice(api, "0000000101")
    response = report.code("issue", api.call("InvoiceService", "IssueInvoices", I.IssueInvoicesRequest(
        request_id="proof-issue-1", invoices=[blue]), I.IssueInvoicesResponse, platform), 0)
    if response is None:
        return
    report.expect("issued", codes(response.results), [0])
    receipt = response.results[0].receipt
    report.value("receipt", {"tx_hash": receipt.tx_hash.hex(), "ledger_index": receipt.ledger_index})
    back = report.code("read_back", api.call("InvoiceService", "GetInvoice", I.GetInvoiceRequest(
        invoice_code=blue.invoice_code, invoice_number=blue.invoice_number, check_code=blue.check_code),
        I.GetInvoiceResponse, platform), 0)
    if back is not None:
        report.expect("read_back.same_invoice", back.invoice.SerializeToString(), blue.SerializeToString())
        report.expect("read_back.issue_index", back.issue_index, receipt.ledger_index)
    verify_on_ledger(api, report, platform, receipt, "proof")


def scenario_identity(api, report):
    """Signed metadata on a node not in development mode."""
    L = api.ledger
    org = api.orgs["hospital"]
    for mode, want in (("signed", 0), ("none", 16), ("unsigned", 16), ("stale", 16), ("future", 16),
                       ("wrong_key", 16), ("wrong_method", 16), ("wrong_digest", 16)):
        report.code(f"identity.{mode}", api.call("LedgerService", "GetTreeHead", L.GetTreeHeadRequest(),
                                                 L.GetTreeHeadResponse, org, mode), want)
    report.code("identity.unregistered_org", api.call("LedgerService", "GetTreeHead", L.GetTreeHeadRequest(),
                                                      L.GetTreeHeadResponse, "X00000000000", "unsigned"), 16)
    code, _, details = api.call("InvoiceService", "IssueInvoices", api.invoice.IssueInvoicesRequest(
        request_id="identity-unsigned-write", invoices=[blue_invoice(api, "0000000201")]),
        api.invoice.IssueInvoicesResponse, api.orgs["invoice_platform"], "unsigned")
    report.expect("identity.unsigned_write_refused", code, 16)
    report.expect("identity.message_names_signature", "yibao-signature-bin" in details, True)


def scenario_dev(api, report):
    """Development mode: the org's word is taken, but a signature that is sent is still checked."""
    L, I = api.ledger, api.invoice
    org = api.orgs["invoice_platform"]
    report.code("dev.unsigned_read", api.call("LedgerService", "GetTreeHead", L.GetTreeHeadRequest(),
                                              L.GetTreeHeadResponse, org, "unsigned"), 0)
    response = report.code("dev.unsigned_write", api.call("InvoiceService", "IssueInvoices", I.IssueInvoicesRequest(
        request_id="dev-issue-1", invoices=[blue_invoice(api, "0000000301")]), I.IssueInvoicesResponse, org, "unsigned"), 0)
    if response is not None:
        report.expect("dev.unsigned_write_lands", codes(response.results), [0])
    report.code("dev.no_org", api.call("LedgerService", "GetTreeHead", L.GetTreeHeadRequest(),
                                       L.GetTreeHeadResponse, org, "none"), 16)
    report.code("dev.unregistered_org", api.call("LedgerService", "GetTreeHead", L.GetTreeHeadRequest(),
                                                 L.GetTreeHeadResponse, "X00000000000", "unsigned"), 16)
    report.code("dev.bad_signature_still_refused", api.call("LedgerService", "GetTreeHead", L.GetTreeHeadRequest(),
                                                            L.GetTreeHeadResponse, org, "wrong_key"), 16)


def scenario_feed(api, report):
    """FeedSettlements: 40 batches in through one bidirectional stream, one answer per batch, in order; a bad
    record fails alone, a batch without request id fails as a batch, and the feed goes on."""
    S = api.settlement
    hospital = api.orgs["hospital"]
    path = "/yibao.v1.SettlementService/FeedSettlements"
    batches = []
    for i in range(40):
        good = settlement(api, f"S4601062024040{i:05d}")
        bad = settlement(api, f"S4601062024050{i:05d}")
        bad.psn_part_amt = 1
        batches.append(S.FeedSettlementsRequest(request_id=f"feed-{i}", settlements=[good, bad] if i % 10 == 3 else [good]))
    batches.append(S.FeedSettlementsRequest(settlements=[settlement(api, "S460106202406000001")]))
    stub = api.channel.stream_stream(path, request_serializer=lambda m: m.SerializeToString(),
                                     response_deserializer=S.FeedSettlementsResponse.FromString)
    try:
        answers = list(stub(iter(batches), metadata=api.stream_metadata(path, hospital), timeout=120))
    except grpc.RpcError as error:
        report.expect("feed.call", error.code().value[0], 0)
        return
    report.expect("feed.answers", len(answers), len(batches))
    report.expect("feed.in_order", [a.request_id for a in answers], [b.request_id for b in batches])
    report.expect("feed.codes", [codes(a.results) for a in answers[:-1]],
                  [[0, 3] if i % 10 == 3 else [0] for i in range(40)])
    report.expect("feed.batch_error", (answers[-1].error.code, list(answers[-1].results)), (3, []))
    unsigned = api.channel.stream_stream(path, request_serializer=lambda m: m.SerializeToString(),
                                         response_deserializer=S.FeedSettlementsResponse.FromString)
    try:
        list(unsigned(iter(batches[:1]), metadata=[("yibao-org", hospital)], timeout=30))
        report.expect("feed.unsigned_refused", 0, 16)
    except grpc.RpcError as error:
        report.expect("feed.unsigned_refused", error.code().value[0], 16)


def scenario_stream(api, report):
    """StreamEntries: an auditor catches up from 0, then sees a new entry live; others are refused."""
    L, I = api.ledger, api.invoice
    auditor, platform = api.orgs["auditor"], api.orgs["invoice_platform"]
    path = "/yibao.v1.LedgerService/StreamEntries"
    head = api.call("LedgerService", "GetTreeHead", L.GetTreeHeadRequest(), L.GetTreeHeadResponse, auditor)[1]
    size = head.head.tree_size
    request = L.StreamEntriesRequest(from_index=0)
    body = request.SerializeToString()
    stub = api.channel.unary_stream(path, request_serializer=lambda b: b, response_deserializer=L.Entry.FromString)
    call = stub(body, metadata=api.metadata(path, auditor, body), timeout=60)
    seen = []
    issued = {}

    def issue_later():
        time.sleep(0.3)
        issued["response"] = api.call("InvoiceService", "IssueInvoices", I.IssueInvoicesRequest(
            request_id="stream-issue-1", invoices=[blue_invoice(api, "0000000401")]), I.IssueInvoicesResponse, platform)

    writer = threading.Thread(target=issue_later)
    try:
        for entry in call:
            seen.append(entry)
            if len(seen) == size:
                writer.start()
            if len(seen) > size:
                writer.join()  # its answer is in; the stream goes on buffering meanwhile
                response = issued["response"][1]
                if response is None or any(e.tx_hash == response.results[0].receipt.tx_hash for e in seen):
                    break
    finally:
        call.cancel()
        if writer.ident is not None:
            writer.join()
    report.expect("stream.in_order_from_zero", [e.ledger_index for e in seen], list(range(len(seen))))
    report.expect("stream.caught_up_then_live", len(seen) > size, True)
    report.expect("stream.leaf_hashes", all(leaf_hash(e.leaf_bytes) == e.tx_hash for e in seen), True)
    denied = api.channel.unary_stream(path, request_serializer=lambda b: b, response_deserializer=L.Entry.FromString)
    body = L.StreamEntriesRequest().SerializeToString()
    try:
        list(denied(body, metadata=api.metadata(path, platform, body), timeout=30))
        report.expect("stream.non_auditor_denied", 0, 7)
    except grpc.RpcError as error:
        report.expect("stream.non_auditor_denied", error.code().value[0], 7)


def scenario_overload(api, report):
    """Many concurrent batches against a node whose write queue holds one batch: some are refused with
    RESOURCE_EXHAUSTED, none fails otherwise, and every one that was admitted landed."""
    I = api.invoice
    platform = api.orgs["invoice_platform"]
    path = "/yibao.v1.InvoiceService/IssueInvoices"
    stub = api.channel.unary_unary(path, request_serializer=lambda b: b, response_deserializer=I.IssueInvoicesResponse.FromString)
    calls = []
    for i in range(120):  # signed first (openssl is slow), then sent all at once
        body = I.IssueInvoicesRequest(request_id=f"overload-{i}", invoices=[
            blue_invoice(api, f"{1000000 + 2 * i:010d}"), blue_invoice(api, f"{1000001 + 2 * i:010d}")]).SerializeToString()
        calls.append((body, api.metadata(path, platform, body)))
    futures = [stub.future(body, metadata=metadata, timeout=60) for body, metadata in calls]
    outcomes = []
    for future in futures:
        try:
            outcomes.append(codes(future.result().results))
        except grpc.RpcError as error:
            outcomes.append(error.code().value[0])
    exhausted = sum(1 for o in outcomes if o == 8)
    report.value("overload", {"exhausted": exhausted, "landed": sum(1 for o in outcomes if o == [0, 0])})
    report.expect("overload.some_exhausted", exhausted > 0, True)
    report.expect("overload.others_landed", all(o == 8 or o == [0, 0] for o in outcomes), True)


def scenario_mtls(api, report):
    """Mutual TLS: no identity metadata at all; the certificate's CN names the org (keys/tls, made by the test)."""
    L, S = api.ledger, api.settlement
    tls = os.path.join(api.keys_dir, "tls")

    def read(name):
        with open(os.path.join(tls, name), "rb") as f:
            return f.read()

    def channel(code):
        credentials = grpc.ssl_channel_credentials(root_certificates=read("ca.pem"), private_key=read(code + ".key"),
                                                   certificate_chain=read(code + ".pem"))
        return grpc.secure_channel(f"127.0.0.1:{api.port}", credentials, options=[
            ("grpc.ssl_target_name_override", "localhost"), ("grpc.use_local_subchannel_pool", 1)])

    hospital = api.orgs["hospital"]
    api.channel = channel(hospital)
    report.code("mtls.read", api.call("LedgerService", "GetTreeHead", L.GetTreeHeadRequest(), L.GetTreeHeadResponse,
                                      hospital, "none"), 0)
    up = report.code("mtls.write", api.call("SettlementService", "UploadSettlements", S.UploadSettlementsRequest(
        request_id="mtls-up-1", settlements=[settlement(api, "S460106202407000001")]), S.UploadSettlementsResponse,
        hospital, "none"), 0)
    if up is not None:
        report.expect("mtls.write_lands", codes(up.results), [0])
    denied = report.code("mtls.other_roles_write", api.call("InvoiceService", "IssueInvoices", api.invoice.IssueInvoicesRequest(
        request_id="mtls-issue-1", invoices=[blue_invoice(api, "0000000501")]), api.invoice.IssueInvoicesResponse,
        hospital, "none"), 0)
    if denied is not None:
        report.expect("mtls.acts_as_the_cn_org", codes(denied.results), [7])
    api.channel = channel("X99999999999")
    report.code("mtls.unregistered_cn", api.call("LedgerService", "GetTreeHead", L.GetTreeHeadRequest(),
                                                 L.GetTreeHeadResponse, hospital, "none"), 16)


def scenario_echo(api, report):
    """The generated provider of the test service yibao.test.v1.Echo (no identity: served on a bare router)."""
    out = tempfile.mkdtemp(prefix="yibao-echo-py-")
    subprocess.run(["protoc", f"-I{api.protos_dir}", f"--python_out={out}", "yibao/test/v1/echo.proto"], check=True)
    sys.path.insert(0, out)
    from yibao.test.v1 import echo_pb2 as E
    unary = api.channel.unary_unary("/yibao.test.v1.Echo/Unary", request_serializer=lambda m: m.SerializeToString(),
                                    response_deserializer=E.EchoResponse.FromString)
    request = E.EchoRequest(text="医保 ✓", payload=b"\x00\xff", counts={"a": 1}, choice_number=-7)
    response = unary(request, timeout=30)
    report.expect("echo.unary", (response.echoed == request, response.sequence), (True, 1))
    expand = api.channel.unary_stream("/yibao.test.v1.Echo/Expand", request_serializer=lambda m: m.SerializeToString(),
                                      response_deserializer=E.EchoResponse.FromString)
    answers = list(expand(E.ExpandRequest(text="x", count=5), timeout=30))
    report.expect("echo.expand", [(a.echoed.text, a.sequence) for a in answers], [("x", i) for i in range(1, 6)])
    collect = api.channel.stream_unary("/yibao.test.v1.Echo/Collect", request_serializer=lambda m: m.SerializeToString(),
                                       response_deserializer=E.EchoResponse.FromString)
    collected = collect(iter([E.EchoRequest(text=t) for t in ("a", "b", "c")]), timeout=30)
    report.expect("echo.collect", (collected.echoed.text, collected.sequence), ("a,b,c", 3))
    chat = api.channel.stream_stream("/yibao.test.v1.Echo/Chat", request_serializer=lambda b: b,
                                     response_deserializer=E.EchoResponse.FromString)
    answers = list(chat(iter([E.EchoRequest(text=t).SerializeToString() for t in ("x", "y")]), timeout=30))
    report.expect("echo.chat", [(a.echoed.text, a.sequence) for a in answers], [("x", 1), ("y", 2)])
    try:
        list(chat(iter([E.EchoRequest(text="ok").SerializeToString(), b"\x0a\xff\xff\xff"]), timeout=30))
        report.expect("echo.chat_undecodable", 0, 13)
    except grpc.RpcError as error:
        report.expect("echo.chat_undecodable", (error.code().value[0], "yibao.test.v1.EchoRequest" in error.details()), (13, True))
    raw = api.channel.unary_unary("/yibao.test.v1.Echo/Unary", request_serializer=lambda b: b,
                                  response_deserializer=E.EchoResponse.FromString)
    try:
        raw(b"\x0a\xff\xff\xff", timeout=30)
        report.expect("echo.undecodable", 0, 13)
    except grpc.RpcError as error:
        report.expect("echo.undecodable", (error.code().value[0], "yibao.test.v1.EchoRequest" in error.details()), (13, True))


SCENARIOS = {"echo": scenario_echo, "mtls": scenario_mtls, "flow": scenario_flow, "proof": scenario_proof, "identity": scenario_identity, "dev": scenario_dev,
             "feed": scenario_feed, "stream": scenario_stream, "overload": scenario_overload}


def main():
    port, protos_dir, keys_dir = sys.argv[1], sys.argv[2], sys.argv[3]
    api = Api(port, protos_dir, keys_dir)
    failures = 0
    for name in sys.argv[4:]:
        report = Report(name)
        try:
            SCENARIOS[name](api, report)
        except Exception as error:  # a crash of the client is a failed check, reported like one
            report.expect("crashed", repr(error), None)
        failures += report.failures
        print(json.dumps({"scenario": name, "done": True}), flush=True)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
