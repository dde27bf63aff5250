//===- DQDialect.td - the dq dialect definition ------------*- tablegen -*-===//
//
// The dq dialect: decoupled low-bit weights W ~= s * Q + z.
//
//===----------------------------------------------------------------------===//

#ifndef DQ_IR_DQDIALECT_TD
#define DQ_IR_DQDIALECT_TD

include "mlir/IR/OpBase.td"

def DQ_Dialect : Dialect {
  let name = "dq";
  let cppNamespace = "::mlir::dq";
  let summary = "Decoupled low-bit weights (decoupleQ) and quantized matmuls";
  let description = [{
    One `!dq.weight` value stands for one decoupled weight matrix of logical
    shape `[N, K]` (output rows by input columns):

    ```
    W[n, k] = s[n, k / group] * Q[n, k] + z[n, k / group]
    ```

    `Q` is a signed `bits`-bit integer in `[-2^(bits-1), 2^(bits-1) - 1]`.
    `s` (scale) and `z` (offset) are floats, one pair per output row and group
    of `group` consecutive input columns. `z` is a float offset added as is:
    it is not an integer zero point and is not multiplied by `s`. `s` may be
    negative.

    The integer part is stored packed into bytes; the packing order is part
    of the type's `layout` (see `docs/decoupled-format.md`).
  }];
  let useDefaultTypePrinterParser = 1;
  let useDefaultAttributePrinterParser = 1;
  let dependentDialects = ["::mlir::tensor::TensorDialect"];
  let extraClassDeclaration = [{
    /// Registers types and attributes (in DQTypes.cpp, next to their storage).
    void registerTypes();
  }];
}

class DQ_Op<string mnemonic, list<Trait> traits = []>
    : Op<DQ_Dialect, mnemonic, traits>;

#endif // DQ_IR_DQDIALECT_TD
