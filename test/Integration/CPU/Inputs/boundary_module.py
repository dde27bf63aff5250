"""Moves a packed weight across function and region boundaries.

usage: boundary_module.py PACKED.mlir OUT.mlir

PACKED.mlir is the output of `dq-opt --dq-pack-weights` on a module from
test/Integration/Runtime/Inputs/matmul_case.py: a public `@matmul(%x)` whose
dq.matmul reads an n16k4 dq.constant. OUT.mlir computes the same product
with the weight passed through every boundary the CPU lowering converts:

  - returned by a private function (`@make`, twice: two values);
  - chosen by an scf.if on a run-time condition (x[0, 0] == x[0, 0]);
  - carried by an scf.for (two iterations) whose body calls
  - a private function taking the weight as an argument (`@apply`);

the loop sums the two products and the result is halved (both exact), so
the output is the product itself, checked against matmul_case.py's float64
reference.
"""
import re
import sys


def main():
    packed, out = sys.argv[1], sys.argv[2]
    text = open(packed).read()
    constant = re.search(r"= (dq\.constant .*)$", text, re.M).group(1)
    weight = re.search(r" : (!dq\.weight<.*>)$", constant).group(1)
    matmul = re.search(r"dq\.matmul %\w+, %\w+ : (tensor<[^>]*>), .* -> "
                       r"(tensor<[^>]*>)$", text, re.M)
    xtype, ytype = matmul.group(1), matmul.group(2)
    resources = text[text.index("{-#"):]
    xdims = xtype[len("tensor<"):-1].split("x")
    elem = xdims[-1]
    zero_index = ", ".join(["%c0"] * (len(xdims) - 1))
    lines = f"""module {{
  func.func private @make() -> {weight} {{
    %w = {constant}
    return %w : {weight}
  }}
  func.func private @apply(%x: {xtype}, %w: {weight}) -> {ytype} {{
    %y = dq.matmul %x, %w : {xtype}, {weight} -> {ytype}
    return %y : {ytype}
  }}
  func.func @matmul(%x: {xtype}) -> {ytype} {{
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c2 = arith.constant 2 : index
    %a = func.call @make() : () -> {weight}
    %b = func.call @make() : () -> {weight}
    %x00 = tensor.extract %x[{zero_index}] : {xtype}
    %same = arith.cmpf oeq, %x00, %x00 : {elem}
    %w = scf.if %same -> {weight} {{
      scf.yield %a : {weight}
    }} else {{
      scf.yield %b : {weight}
    }}
    %zero = arith.constant 0.0 : {elem}
    %empty = tensor.empty() : {ytype}
    %init = linalg.fill ins(%zero : {elem}) outs(%empty : {ytype}) -> {ytype}
    %r:2 = scf.for %i = %c0 to %c2 step %c1 iter_args(%acc = %init, %wi = %w) -> ({ytype}, {weight}) {{
      %y = func.call @apply(%x, %wi) : ({xtype}, {weight}) -> {ytype}
      %sum = linalg.add ins(%acc, %y : {ytype}, {ytype}) outs(%acc : {ytype}) -> {ytype}
      scf.yield %sum, %wi : {ytype}, {weight}
    }}
    %half = arith.constant 0.5 : {elem}
    %h = linalg.fill ins(%half : {elem}) outs(%empty : {ytype}) -> {ytype}
    %mean = linalg.mul ins(%r#0, %h : {ytype}, {ytype}) outs(%r#0 : {ytype}) -> {ytype}
    return %mean : {ytype}
  }}
}}
{resources}"""
    open(out, "w").write(lines)


if __name__ == "__main__":
    main()
