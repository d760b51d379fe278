// The progress line of a long quantization step (calibration, selection, tuning, learned
// rounding): `LABEL: 12/32 UNIT (3.1 s)`, rewritten in place on a terminal, one line per 10 % in
// a log (a pipe, CI); silent when the stream is null.
#ifndef OPENBPU_COMPILER_QUANTIZATION_PROGRESS_H_
#define OPENBPU_COMPILER_QUANTIZATION_PROGRESS_H_

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>

namespace openbpu::quantization {

class Progress {
 public:
  Progress(std::FILE* out, std::string label, std::string unit, int total)
      : out_(out),
        label_(std::move(label)),
        unit_(std::move(unit)),
        total_(total),
        tty_(out != nullptr && isatty(fileno(out))),
        start_(std::chrono::steady_clock::now()) {}
  // Ends a terminal line left open (a step that failed before its last item).
  ~Progress() { Finish(); }

  // `done` of the total items are done.
  void Update(int done) {
    if (out_ == nullptr || total_ <= 0) return;
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    const int decile = done * 10 / total_;
    if (tty_) {
      std::fprintf(out_, "\r%s: %d/%d %s (%.1f s)", label_.c_str(), done, total_, unit_.c_str(),
                   secs);
      open_ = true;
    } else if (decile > last_decile_) {
      last_decile_ = decile;
      std::fprintf(out_, "%s: %d/%d %s (%.1f s)\n", label_.c_str(), done, total_, unit_.c_str(),
                   secs);
    }
    std::fflush(out_);
  }

  // Ends the terminal line, so what follows starts on its own.
  void Finish() {
    if (open_) {
      std::fputc('\n', out_);
      std::fflush(out_);
      open_ = false;
    }
  }

 private:
  std::FILE* out_;
  std::string label_, unit_;
  int total_;
  bool tty_;
  std::chrono::steady_clock::time_point start_;
  int last_decile_ = 0;
  bool open_ = false;
};

}  // namespace openbpu::quantization

#endif  // OPENBPU_COMPILER_QUANTIZATION_PROGRESS_H_
