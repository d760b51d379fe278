#include "common/status_macros.h"

#include <memory>
#include <string>

#include "gtest/gtest.h"

namespace openbpu {
namespace {

absl::StatusOr<int> Parse(bool ok, int value) {
  if (!ok) return absl::InvalidArgumentError("not a number");
  return value;
}

absl::Status Check(bool ok, int* calls) {
  ++*calls;
  return ok ? absl::OkStatus() : absl::NotFoundError("missing");
}

absl::Status ReturnIfError(bool ok, int* calls, bool* reached_end) {
  OPENBPU_RETURN_IF_ERROR(Check(ok, calls));
  *reached_end = true;
  return absl::OkStatus();
}

// RETURN_IF_ERROR in a function returning StatusOr.
absl::StatusOr<std::string> ReturnIfErrorInStatusOr(bool ok) {
  int calls = 0;
  OPENBPU_RETURN_IF_ERROR(Check(ok, &calls));
  return std::string("done");
}

absl::StatusOr<int> SumTwice(bool first_ok, bool second_ok) {
  OPENBPU_ASSIGN_OR_RETURN(int a, Parse(first_ok, 20));
  OPENBPU_ASSIGN_OR_RETURN(const auto b, Parse(second_ok, 22));  // two on one function
  return a + b;
}

absl::StatusOr<std::unique_ptr<int>> MakeBox(bool ok) {
  if (!ok) return absl::UnavailableError("no box");
  return std::make_unique<int>(7);
}

absl::StatusOr<int> Unbox(bool ok) {
  OPENBPU_ASSIGN_OR_RETURN(std::unique_ptr<int> box, MakeBox(ok));  // move-only value
  return *box;
}

absl::Status AssignExisting(bool ok, int* out) {
  OPENBPU_ASSIGN_OR_RETURN(*out, Parse(ok, 5));
  return absl::OkStatus();
}

TEST(StatusMacrosTest, ReturnIfErrorReturnsTheErrorUnchanged) {
  int calls = 0;
  bool reached_end = false;
  const absl::Status s = ReturnIfError(false, &calls, &reached_end);
  EXPECT_EQ(s, absl::NotFoundError("missing"));
  EXPECT_FALSE(reached_end);
  EXPECT_EQ(calls, 1);  // evaluated once
  EXPECT_EQ(ReturnIfErrorInStatusOr(false).status(), absl::NotFoundError("missing"));
}

TEST(StatusMacrosTest, ReturnIfErrorGoesOnWhenOk) {
  int calls = 0;
  bool reached_end = false;
  EXPECT_TRUE(ReturnIfError(true, &calls, &reached_end).ok());
  EXPECT_TRUE(reached_end);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(*ReturnIfErrorInStatusOr(true), "done");
}

TEST(StatusMacrosTest, AssignOrReturnDeclaresAndAssigns) {
  EXPECT_EQ(*SumTwice(true, true), 42);
  EXPECT_EQ(*Unbox(true), 7);
  int out = 0;
  EXPECT_TRUE(AssignExisting(true, &out).ok());
  EXPECT_EQ(out, 5);
}

TEST(StatusMacrosTest, AssignOrReturnReturnsTheError) {
  EXPECT_EQ(SumTwice(false, true).status(), absl::InvalidArgumentError("not a number"));
  EXPECT_EQ(SumTwice(true, false).status(), absl::InvalidArgumentError("not a number"));
  EXPECT_EQ(Unbox(false).status(), absl::UnavailableError("no box"));
  int out = 3;
  EXPECT_EQ(AssignExisting(false, &out), absl::InvalidArgumentError("not a number"));
  EXPECT_EQ(out, 3);  // untouched on error
}

}  // namespace
}  // namespace openbpu
