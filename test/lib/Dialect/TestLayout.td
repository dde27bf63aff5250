//===- TestLayout.td - a weight layout defined outside dq --*- tablegen -*-===//
//
// Shows that a layout needs no change to dialects/: a dialect of its own,
// one attribute implementing WeightLayoutAttrInterface, one register call.
//
//===----------------------------------------------------------------------===//

#ifndef DQ_TEST_LIB_DIALECT_TESTLAYOUT_TD
#define DQ_TEST_LIB_DIALECT_TESTLAYOUT_TD

include "DQ/IR/DQInterfaces.td"
include "mlir/IR/AttrTypeBase.td"

def DQTest_Dialect : Dialect {
  let name = "dq_test";
  let cppNamespace = "::mlir::dq_test";
  let summary = "Weight layouts for tests";
  let useDefaultAttributePrinterParser = 1;
}

def DQTest_TransposedAttr : AttrDef<DQTest_Dialect, "Transposed",
    [DeclareAttrInterfaceMethods<DQ_WeightLayoutAttrInterface,
        ["verifyWeight", "getFieldBias", "packInts"]>]> {
  let mnemonic = "transposed";
  let summary = "Q stored column by column";
  let description = [{
    Column `k` of `Q` occupies `K`'s row of `tensor<K x ceil(N * bits / 8) x
    i8>`, fields two's complement as in `row_major`. Fields must not
    straddle bytes, so 3 bits are rejected. Scale and offset stay row-major.
  }];
}

#endif // DQ_TEST_LIB_DIALECT_TESTLAYOUT_TD
