//===- InitAll.h - register everything dq offers ----------------*- C++ -*-===//
//
// What a tool calls to offer dq's dialect, passes and pipelines, in the way
// upstream's mlir/InitAllDialects.h and InitAllPasses.h do. dq-opt is a thin
// main over these; a tool of another stack calls the same three functions
// and needs nothing from tools/.
//
//===----------------------------------------------------------------------===//

#ifndef DQ_INITALL_H
#define DQ_INITALL_H

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace mlir::dq {

/// The dq dialect plus the upstream dialects, interface models and LLVM IR
/// translations that dq's passes and pipelines create or need. A registry
/// that already holds all upstream dialects (mlir-opt's) only needs
/// registerDQDialect.
void registerAllDialects(DialectRegistry &registry);

/// The dq dialect with the interface models of its own ops and the
/// backends' layout dialects (dq_cpu, dq_gpu; include/dq/Conversion/Layouts.h),
/// which load with it.
void registerDQDialect(DialectRegistry &registry);

/// dq's own passes (--dq-*), without any upstream pass.
void registerAllPasses();

/// --dq-cpu-pipeline and --dq-cuda-pipeline.
void registerAllPipelines();

/// The upstream passes and pipelines that dq-opt offers beside dq's own, so
/// that tests can run a stage of a pipeline alone. A tool that registers
/// upstream passes itself (mlir-opt) must not call it: a pass registered
/// twice is a fatal error.
void registerUpstreamPasses();

} // namespace mlir::dq

#endif // DQ_INITALL_H
