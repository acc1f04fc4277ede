// Tests of the Yibao API against a real node: see the suites in this folder.
