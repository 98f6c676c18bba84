// readFilesThreaded (issue 12): worker threads read pieces of files and whole files into sessions
// of their own (AnalysisState::spawn); the calling thread merges them into the analysis strictly in
// the order of the input, reads threat intel itself, and reads a file itself whenever a worker's
// result cannot be merged exactly (intel found in an auto-detected file, pieces that disagree on
// the format). Workers run at most a window of tasks ahead of the merge, so memory holds a few
// sessions' aggregates at a time.
#include <algorithm>
#ifndef __EMSCRIPTEN__  // the wasm build has no threads (the page's two workers are issue 12 part 3)
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>
#endif

#include "analysis_state.hpp"
#include "ingest/split.hpp"
#include "vpshunt/analysis.hpp"

namespace vpshunt {

unsigned defaultThreads() {
#ifdef __EMSCRIPTEN__
  return 1;
#else
  const unsigned n = std::thread::hardware_concurrency();
  return std::max(1u, std::min(n ? n : 1u, 8u));
#endif
}

#ifndef __EMSCRIPTEN__
class ParallelReader {
 public:
  static void run(Analysis& a, const std::vector<InputFile>& files,
                     const std::function<void(Analysis&, const InputFile&)>& feed, const MapFile& map,
                     std::optional<Ticks> now, unsigned threads, size_t minPiece, ThreadedStats& stats,
                     const ReleaseBytes& release);

 private:
  enum class Kind { Main, Whole, Piece };
  struct Task {
    Kind kind = Kind::Main;
    size_t file = 0;
    size_t piece = 0, pieces = 1;
    std::string_view bytes;  // Whole (mapped) or Piece: what to read; Whole unmapped: empty
    bool mapped = false;
    const SplitPlan* plan = nullptr;
    std::string_view header;  // Piece k > 0: read first
    Analysis result;
    uint64_t newlines = 0;
    bool done = false;
  };
};

namespace {

// The readers keep nothing of what they were fed once feed returns, so each slice read may be
// released at once (its newlines counted first, when asked, while its pages are in memory).
void feedBytes(Analysis& a, std::string_view bytes, const ReleaseBytes& release, uint64_t* newlines = nullptr) {
  constexpr size_t kSlice = 1 << 20;  // as a stream would come: the readers' buffers stay small
  for (size_t at = 0; at < bytes.size(); at += kSlice) {
    const std::string_view slice = bytes.substr(at, kSlice);
    a.feed(slice.data(), slice.size());
    if (newlines) *newlines += countNewlines(slice.data(), slice.size());
    if (release) release(slice);
  }
}

}  // namespace

void ParallelReader::run(Analysis& a, const std::vector<InputFile>& files,
                            const std::function<void(Analysis&, const InputFile&)>& feed, const MapFile& map,
                            std::optional<Ticks> now, unsigned threads, size_t minPiece, ThreadedStats& stats,
                            const ReleaseBytes& release) {
  a.setNow(now);
  AnalysisState& main = *a.state_;
  std::vector<SplitPlan> plans(files.size());
  std::vector<Task> tasks;
  for (size_t i = 0; i < files.size(); ++i) {
    const InputFile& f = files[i];
    Task t;
    t.file = i;
    if (f.kind == FileKind::Intel) {
      tasks.push_back(std::move(t));
      continue;
    }
    std::string_view bytes;
    t.kind = Kind::Whole;
    if (map && map(f, bytes)) {
      t.mapped = true;
      t.bytes = bytes;
      plans[i] = planSplit(bytes, f, threads, minPiece);
    }
    const SplitPlan& plan = plans[i];
    if (plan.starts.size() < 2) {
      tasks.push_back(std::move(t));
      continue;
    }
    for (size_t k = 0; k < plan.starts.size(); ++k) {
      Task p;
      p.kind = Kind::Piece;
      p.file = i;
      p.piece = k;
      p.pieces = plan.starts.size();
      p.plan = &plan;
      const size_t end = k + 1 < plan.starts.size() ? plan.starts[k + 1] : bytes.size();
      p.bytes = bytes.substr(plan.starts[k], end - plan.starts[k]);
      if (k > 0) p.header = bytes.substr(plan.headerBegin, plan.headerEnd - plan.headerBegin);
      tasks.push_back(std::move(p));
    }
  }

  std::mutex m;
  std::condition_variable cv;
  size_t next = 0, merged = 0;
  const size_t window = 2 * size_t(threads) + 2;
  std::exception_ptr failure;
  auto work = [&](Task& t) {
    t.result.state_ = main.spawn();
    const InputFile& f = files[t.file];
    if (t.kind == Kind::Piece) {
      t.result.state_->beginChunk(f.path, f.kind, f.format);
      if (!t.header.empty()) t.result.feed(t.header.data(), t.header.size());
      feedBytes(t.result, t.bytes, release, &t.newlines);
      t.result.endFile();
    } else if (t.mapped) {
      t.result.beginFile(f.path, f.kind, f.format);
      feedBytes(t.result, t.bytes, release);
      t.result.endFile();
    } else {
      feed(t.result, f);
    }
  };
  std::vector<std::thread> workers;
  for (unsigned w = 0; w < threads; ++w)
    workers.emplace_back([&] {
      std::unique_lock<std::mutex> lk(m);
      for (;;) {
        cv.wait(lk, [&] { return next >= tasks.size() || next < merged + window; });
        if (next >= tasks.size()) return;
        Task& t = tasks[next++];
        if (t.kind != Kind::Main) {
          lk.unlock();
          try {
            work(t);
          } catch (...) {
            std::lock_guard<std::mutex> g(m);
            if (!failure) failure = std::current_exception();
          }
          lk.lock();
        }
        t.done = true;
        cv.notify_all();
      }
    });
  auto waitFor = [&](size_t from, size_t to) {
    std::unique_lock<std::mutex> lk(m);
    cv.wait(lk, [&] {
      for (size_t j = from; j < to; ++j)
        if (!tasks[j].done) return false;
      return true;
    });
  };
  auto mergedUpTo = [&](size_t to) {
    std::lock_guard<std::mutex> lk(m);
    merged = to;
    cv.notify_all();
  };
  try {
    for (size_t i = 0; i < tasks.size();) {
      Task& t = tasks[i];
      const InputFile& f = files[t.file];
      if (t.kind == Kind::Main) {
        feed(a, f);
        mergedUpTo(++i);
        continue;
      }
      if (t.kind == Kind::Whole) {
        waitFor(i, i + 1);
        if (failure) break;
        if (!main.mergeFiles(std::move(*t.result.state_))) feed(a, f);  // intel: read here, in order
        t.result = Analysis();
        mergedUpTo(++i);
        continue;
      }
      const size_t end = i + t.pieces;
      waitFor(i, end);
      if (failure) break;
      std::vector<const AnalysisState*> pieces;
      for (size_t j = i; j < end; ++j) pieces.push_back(tasks[j].result.state_.get());
      const bool agree = AnalysisState::piecesAgree(pieces);
      ++stats.filesCut;
      if (!agree) {
        ++stats.filesReadAgain;
        feed(a, f);
      } else {
        uint64_t lines = 0;
        for (size_t j = i; j < end; ++j) {
          Task& p = tasks[j];
          const bool isFirst = j == i;
          const uint64_t offset = isFirst ? 0 : lines - p.plan->headerLines;
          lines += p.newlines;
          if (!main.mergeChunk(std::move(*p.result.state_), isFirst, offset, p.plan->headerLines)) break;
          ++stats.piecesMerged;
        }
        main.endChunkedFile();
      }
      for (size_t j = i; j < end; ++j) tasks[j].result = Analysis();
      i = end;
      mergedUpTo(i);
    }
  } catch (...) {
    std::lock_guard<std::mutex> lk(m);
    if (!failure) failure = std::current_exception();
  }
  {
    std::lock_guard<std::mutex> lk(m);
    next = tasks.size();  // workers still waiting stop
    cv.notify_all();
  }
  for (auto& w : workers) w.join();
  if (failure) std::rethrow_exception(failure);

  const std::vector<uint64_t> ids = a.collectGroups(now);
  if (!ids.empty()) {
    // The collect pass looks rows up in the merged aggregates: read on this thread.
    a.beginCollect(ids);
    for (size_t i = 0; i < files.size(); ++i) {
      const InputFile& f = files[i];
      if (f.kind == FileKind::Intel) continue;
      std::string_view bytes;
      if (map && map(f, bytes)) {
        a.beginFile(f.path, f.kind, f.format);
        feedBytes(a, bytes, release);
        a.endFile();
      } else {
        feed(a, f);
      }
    }
    a.endCollect();
  }
}

#endif  // __EMSCRIPTEN__

void readFilesThreaded(Analysis& a, const std::vector<InputFile>& files,
                          const std::function<void(Analysis&, const InputFile&)>& feed, const MapFile& map,
                          std::optional<Ticks> now, unsigned threads, size_t minPiece, ThreadedStats* stats,
                          const ReleaseBytes& release) {
  ThreadedStats scratch;
  ThreadedStats& st = stats ? *stats : scratch;
#ifdef __EMSCRIPTEN__
  (void)map, (void)threads, (void)minPiece, (void)st, (void)release;
  return readFiles(a, files, feed, now);
#else
  if (threads <= 1) return readFiles(a, files, feed, now);
  return ParallelReader::run(a, files, feed, map, now, threads, std::max<size_t>(minPiece, 1), st, release);
#endif
}

}  // namespace vpshunt
