// PassPipeline: runs GraphPasses in order with a verifier after each (structure
// and type consistency), dumping the graph after chosen passes and skipping
// disabled ones (XLA's HloPassPipeline with its dump/disable flags).
#ifndef OPENBPU_COMPILER_PASSES_PASS_PIPELINE_H_
#define OPENBPU_COMPILER_PASSES_PASS_PIPELINE_H_

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "compiler/ir/graph.h"
#include "compiler/passes/graph_pass.h"

namespace openbpu::passes {

// The verifier run between passes: ir::Graph::Verify() (every input defined
// before use), then shape inference without folding, which must succeed and
// agree with every type the graph already records (a pass that rewires nodes
// must leave types consistent). Values a pass left untyped get their types.
absl::Status VerifyGraph(ir::Graph& graph);

class PassPipeline : public GraphPass {
 public:
  // Receives the pass name and ir::PrintGraph text after each dumped pass.
  using DumpCallback = std::function<void(absl::string_view pass_name, const std::string& text)>;
  // Checks the graph before the first pass and after each pass.
  using Verifier = std::function<absl::Status(ir::Graph& graph)>;

  explicit PassPipeline(std::string name = "pipeline") : name_(std::move(name)) {}

  absl::string_view name() const override { return name_; }

  void AddPass(std::unique_ptr<GraphPass> pass) { passes_.push_back(std::move(pass)); }
  template <typename T, typename... Args>
  T& AddPass(Args&&... args) {
    auto pass = std::make_unique<T>(std::forward<Args>(args)...);
    T& ref = *pass;
    passes_.push_back(std::move(pass));
    return ref;
  }

  // Dumps the graph after the named pass ("*": after every pass). The dump is
  // written whether or not the verifier then accepts the graph, so a broken
  // graph can be inspected.
  void DumpAfter(absl::string_view pass_name) { dump_after_.emplace_back(pass_name); }
  // Skips the named pass (every pass of that name).
  void Disable(absl::string_view pass_name) { disabled_.emplace_back(pass_name); }

  // Where dumps go: a callback, and/or files DIR/GRAPH.NN.PASS.txt (NN = the
  // pass's 1-based position in the pipeline). DumpAfter without either is an
  // error at Run.
  void SetDumpCallback(DumpCallback callback) { dump_callback_ = std::move(callback); }
  void SetDumpDirectory(std::string directory) { dump_directory_ = std::move(directory); }

  // Replaces VerifyGraph as the check between passes, for pipelines whose graphs VerifyGraph
  // cannot check (convert's: shape inference rejects the integer inputs of quantized nodes).
  void SetVerifier(Verifier verifier) { verifier_ = std::move(verifier); }
  // Whether an error returned by a pass is prefixed "pipeline 'P': pass 'X': " (the default).
  // Off for pipelines whose passes report problems of the user's model that already name the
  // node at fault. Verifier and dump errors always name the pipeline and pass.
  void SetPrefixPassErrors(bool prefix) { prefix_pass_errors_ = prefix; }

  // Verifies the input graph, then runs each enabled pass followed by the
  // verifier. Names given to DumpAfter/Disable that match no pass are an
  // InvalidArgument error before anything runs. Errors name the failing pass
  // (see SetPrefixPassErrors).
  // Returns true if any pass changed the graph.
  absl::StatusOr<bool> Run(ir::Graph& graph) override;

 private:
  absl::Status CheckNames() const;
  absl::Status Dump(const ir::Graph& graph, int index, absl::string_view pass_name) const;

  std::string name_;
  std::vector<std::unique_ptr<GraphPass>> passes_;
  std::vector<std::string> dump_after_;
  std::vector<std::string> disabled_;
  DumpCallback dump_callback_;
  std::string dump_directory_;
  Verifier verifier_ = VerifyGraph;
  bool prefix_pass_errors_ = true;
};

}  // namespace openbpu::passes

#endif  // OPENBPU_COMPILER_PASSES_PASS_PIPELINE_H_
