//===- Print.cpp - numpy-like printing of results -------------------------===//

#include "Print.h"

#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Error.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

using namespace dqrun;

namespace {

constexpr int64_t kSummaryThreshold = 1000; // numpy's default threshold
constexpr int64_t kEdgeItems = 3;           // and edgeitems
constexpr size_t kLineWidth = 75;           // and linewidth

const llvm::fltSemantics *floatSemantics(dqrt_dtype type) {
  switch (type) {
  case DQRT_F16:
    return &llvm::APFloat::IEEEhalf();
  case DQRT_BF16:
    return &llvm::APFloat::BFloat();
  case DQRT_F32:
    return &llvm::APFloat::IEEEsingle();
  case DQRT_F64:
    return &llvm::APFloat::IEEEdouble();
  default:
    return nullptr;
  }
}

llvm::APFloat loadFloat(dqrt_dtype type, const char *at) {
  size_t size = dqrt_dtype_size(type);
  uint64_t bits = 0;
  std::memcpy(&bits, at, size); // little-endian host
  return llvm::APFloat(*floatSemantics(type), llvm::APInt(size * 8, bits));
}

/// A finite float as significant digits and a decimal exponent: the fewest
/// digits that read back to the same value of its type.
struct Decimal {
  bool negative;
  std::string digits; // no leading zero unless the value is 0
  int exponent;       // of the first digit
  double value;
};

Decimal shortestDecimal(const llvm::APFloat &value) {
  bool lost;
  llvm::APFloat wide = value;
  wide.convert(llvm::APFloat::IEEEdouble(), llvm::APFloat::rmNearestTiesToEven,
               &lost); // exact: every type here fits in a double
  double d = wide.convertToDouble();
  char text[64];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(text, sizeof(text), "%.*e", precision - 1, d);
    llvm::APFloat back(value.getSemantics());
    llvm::Expected<llvm::APFloat::opStatus> status =
        back.convertFromString(text, llvm::APFloat::rmNearestTiesToEven);
    if (!status)
      llvm::consumeError(status.takeError()); // cannot happen: "%e" parses
    else if (back.bitwiseIsEqual(value))
      break;
  }
  // text is "-d.ddde+XX".
  llvm::StringRef s(text);
  Decimal result{s.consume_front("-"), "", 0, d};
  auto [mantissa, exponent] = s.split('e');
  for (char c : mantissa)
    if (c != '.')
      result.digits += c;
  while (result.digits.size() > 1 && result.digits.back() == '0')
    result.digits.pop_back();
  exponent.consume_front("+");
  exponent.getAsInteger(10, result.exponent);
  return result;
}

/// "150.", "0.015", "1.5": positional notation, '.' always present.
std::string positional(const Decimal &dec) {
  std::string out = dec.negative ? "-" : "";
  const std::string &digits = dec.digits;
  int n = static_cast<int>(digits.size());
  if (dec.exponent >= n - 1)
    return out + digits + std::string(dec.exponent - (n - 1), '0') + ".";
  if (dec.exponent >= 0)
    return out + digits.substr(0, dec.exponent + 1) + "." +
           digits.substr(dec.exponent + 1);
  return out + "0." + std::string(-dec.exponent - 1, '0') + digits;
}

/// "1.50e-05": numpy's scientific notation; every item of an array shows
/// as many fraction digits as its longest shortest form needs.
std::string scientific(double value, size_t fractionDigits) {
  char text[64];
  std::snprintf(text, sizeof(text), "%.*e", static_cast<int>(fractionDigits),
                value);
  return text;
}

/// Formats every element that will be shown; floats decide positional or
/// scientific for the whole array, as numpy does.
std::vector<std::string> formatElements(dqrt_dtype type, const char *data,
                                        llvm::ArrayRef<int64_t> indices) {
  size_t size = dqrt_dtype_size(type);
  std::vector<std::string> out;
  out.reserve(indices.size());
  if (floatSemantics(type)) {
    std::vector<std::optional<Decimal>> decimals;
    double maxAbs = 0, minAbs = INFINITY;
    for (int64_t i : indices) {
      llvm::APFloat v = loadFloat(type, data + i * size);
      if (!v.isFinite()) {
        decimals.push_back(std::nullopt);
        out.push_back(v.isNaN() ? "nan" : v.isNegative() ? "-inf" : "inf");
        continue;
      }
      decimals.push_back(shortestDecimal(v));
      out.emplace_back();
      if (!v.isZero()) {
        bool lost;
        v.convert(llvm::APFloat::IEEEdouble(),
                  llvm::APFloat::rmNearestTiesToEven, &lost);
        double a = std::fabs(v.convertToDouble());
        maxAbs = std::max(maxAbs, a);
        minAbs = std::min(minAbs, a);
      }
    }
    // numpy's rule (FloatingFormat): scientific when the nonzero
    // magnitudes reach 1e8, go below 1e-4, or span more than 1e3.
    bool useScientific =
        maxAbs > 0 && (maxAbs >= 1e8 || minAbs < 1e-4 || maxAbs / minAbs > 1e3);
    size_t fractionDigits = 0;
    for (const std::optional<Decimal> &dec : decimals)
      if (dec)
        fractionDigits = std::max(fractionDigits, dec->digits.size() - 1);
    for (size_t i = 0; i < out.size(); ++i)
      if (decimals[i])
        out[i] = useScientific ? scientific(decimals[i]->value, fractionDigits)
                               : positional(*decimals[i]);
    return out;
  }
  for (int64_t i : indices) {
    const char *at = data + i * size;
    switch (type) {
    case DQRT_I1:
      out.push_back(*at ? "True" : "False");
      break;
    case DQRT_I8:
      out.push_back(std::to_string(*reinterpret_cast<const int8_t *>(at)));
      break;
    case DQRT_I32: {
      int32_t v;
      std::memcpy(&v, at, sizeof(v));
      out.push_back(std::to_string(v));
      break;
    }
    default: {
      int64_t v;
      std::memcpy(&v, at, sizeof(v));
      out.push_back(std::to_string(v));
      break;
    }
    }
  }
  return out;
}

/// Pads the strings to one width, aligning floats on their '.'.
void align(std::vector<std::string> &items, bool isFloat) {
  // nan/inf (floats without a '.') take the whole field, right-aligned.
  auto nonFinite = [&](const std::string &s) {
    return isFloat && s.find('.') == std::string::npos;
  };
  // Width left of the '.' and from the '.' on; scientific items and
  // integers align as a whole.
  auto split = [&](const std::string &s) -> std::pair<size_t, size_t> {
    size_t dot = s.find('.');
    if (!isFloat || dot == std::string::npos ||
        s.find('e') != std::string::npos)
      return {s.size(), 0};
    return {dot, s.size() - dot};
  };
  size_t left = 0, right = 0;
  for (const std::string &s : items)
    if (!nonFinite(s)) {
      auto [l, r] = split(s);
      left = std::max(left, l);
      right = std::max(right, r);
    }
  for (const std::string &s : items)
    if (nonFinite(s) && s.size() > right)
      left = std::max(left, s.size() - right);
  for (std::string &s : items) {
    if (nonFinite(s)) {
      s = std::string(left + right - s.size(), ' ') + s;
      continue;
    }
    auto [l, r] = split(s);
    s = std::string(left - l, ' ') + s + std::string(right - r, ' ');
  }
}

/// The indices shown along one axis of length `dim`; -1 marks "...".
std::vector<int64_t> shownIndices(int64_t dim, bool summarize) {
  std::vector<int64_t> shown;
  if (!summarize || dim <= 2 * kEdgeItems) {
    for (int64_t i = 0; i < dim; ++i)
      shown.push_back(i);
    return shown;
  }
  for (int64_t i = 0; i < kEdgeItems; ++i)
    shown.push_back(i);
  shown.push_back(-1);
  for (int64_t i = dim - kEdgeItems; i < dim; ++i)
    shown.push_back(i);
  return shown;
}

class ArrayPrinter {
public:
  ArrayPrinter(llvm::ArrayRef<int64_t> shape, bool summarize)
      : shape(shape), summarize(summarize), strides(shape.size(), 1) {
    for (size_t d = shape.size(); d > 1; --d)
      strides[d - 2] = strides[d - 1] * shape[d - 1];
  }

  /// Linear indices of the shown elements, in print order.
  void collect(size_t axis, int64_t base, std::vector<int64_t> &out) const {
    if (axis == shape.size()) {
      out.push_back(base);
      return;
    }
    for (int64_t i : shownIndices(shape[axis], summarize))
      if (i >= 0)
        collect(axis + 1, base + i * strides[axis], out);
  }

  /// Prints the sub-array at `axis`, consuming items in order.
  void print(llvm::raw_ostream &os, size_t axis,
             const std::vector<std::string> &items, size_t &next) const {
    size_t indent = axis + 1;
    if (axis + 1 == shape.size() || shape.empty()) {
      // Innermost axis: one row, wrapped like numpy at kLineWidth.
      os << "[";
      size_t column = indent;
      bool first = true;
      for (int64_t i : shownIndices(shape.empty() ? 1 : shape[axis],
                                    summarize && !shape.empty())) {
        std::string item = i < 0 ? "..." : items[next++];
        if (!first) {
          if (column + 1 + item.size() + 1 > kLineWidth) {
            os << "\n" << std::string(indent, ' ');
            column = indent;
          } else {
            os << " ";
            ++column;
          }
        }
        os << item;
        column += item.size();
        first = false;
      }
      os << "]";
      return;
    }
    os << "[";
    bool first = true;
    // Blank lines between blocks grow with the depth, as in numpy.
    std::string separator = "\n" + std::string(shape.size() - axis - 2, '\n') +
                            std::string(indent, ' ');
    for (int64_t i : shownIndices(shape[axis], summarize)) {
      if (!first)
        os << separator;
      first = false;
      if (i < 0) {
        os << "...";
        continue;
      }
      print(os, axis + 1, items, next);
    }
    os << "]";
  }

private:
  llvm::ArrayRef<int64_t> shape;
  bool summarize;
  std::vector<int64_t> strides;
};

} // namespace

void dqrun::printArray(llvm::raw_ostream &os, dqrt_dtype type,
                       llvm::ArrayRef<int64_t> shape, const void *data) {
  int64_t count = 1;
  for (int64_t dim : shape)
    count *= dim;
  if (count == 0) {
    os << "[]\n";
    return;
  }
  ArrayPrinter printer(shape, count > kSummaryThreshold);
  std::vector<int64_t> indices;
  printer.collect(0, 0, indices);
  std::vector<std::string> items =
      formatElements(type, static_cast<const char *>(data), indices);
  align(items, floatSemantics(type) != nullptr);
  if (shape.empty()) { // 0-d: the bare value, as numpy prints a scalar
    os << llvm::StringRef(items[0]).trim() << "\n";
    return;
  }
  size_t next = 0;
  printer.print(os, 0, items, next);
  os << "\n";
}
