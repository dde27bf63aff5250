//===- DQParameters.td - parameters for backend attributes -*- tablegen -*-===//
//
// Attribute parameters the backends' kernel configurations share, with
// their own syntax so that a config prints readably in a struct format.
//
//===----------------------------------------------------------------------===//

#ifndef DQ_IR_DQPARAMETERS_TD
#define DQ_IR_DQPARAMETERS_TD

include "mlir/IR/AttrTypeBase.td"

// A !dq.weight printed in full (a parameter of the C++ type WeightType would
// print the stripped `<...>` form).
def DQ_WeightParameter
    : AttrOrTypeParameter<"::mlir::dq::WeightType", "a !dq.weight type"> {
  let parser = [{ [&]() -> ::mlir::FailureOr<::mlir::dq::WeightType> {
      ::llvm::SMLoc loc = $_parser.getCurrentLocation();
      ::mlir::Type type;
      if ($_parser.parseType(type))
        return ::mlir::failure();
      if (auto weight = ::llvm::dyn_cast<::mlir::dq::WeightType>(type))
        return weight;
      return $_parser.emitError(loc, "expected a !dq.weight type, got ")
             << type;
    }() }];
  let printer = "$_printer.printType($_self)";
}

// A bool spelled `true` or `false`.
def DQ_FlagParameter : AttrOrTypeParameter<"bool", "true or false"> {
  let parser = [{ [&]() -> ::mlir::FailureOr<bool> {
      if (::mlir::succeeded($_parser.parseOptionalKeyword("true")))
        return true;
      if (::mlir::succeeded($_parser.parseOptionalKeyword("false")))
        return false;
      return $_parser.emitError($_parser.getCurrentLocation(),
                                "expected 'true' or 'false'");
    }() }];
  let printer = [{ $_printer << ($_self ? "true" : "false") }];
}

#endif // DQ_IR_DQPARAMETERS_TD
