// The registry behind OPENBPU_REGISTER_AGREEMENT_CASES.
#include "compiler/quantization/agreement_case.h"

#include <cstdio>
#include <cstdlib>

namespace openbpu::quantization {

std::map<std::string, AgreementCaseGenerator>& AgreementCaseRegistry() {
  static auto* registry = new std::map<std::string, AgreementCaseGenerator>();
  return *registry;
}

bool RegisterAgreementCases(const std::string& op, AgreementCaseGenerator generator) {
  if (!AgreementCaseRegistry().emplace(op, std::move(generator)).second) {
    std::fprintf(stderr, "two agreement case generators for op %s\n", op.c_str());
    std::abort();
  }
  return true;
}

}  // namespace openbpu::quantization
