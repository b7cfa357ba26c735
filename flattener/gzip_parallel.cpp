// Parallel gzip in the way pigz does it: the input is cut into fixed blocks; each block is
// deflated on a worker with the previous 32 KiB as its dictionary and ends on a byte boundary
// (a sync flush), so the pieces concatenate into one raw deflate stream inside one gzip member.
// The CRC-32 of the blocks is combined in order. Block size is fixed, so the bytes do not depend
// on how many workers ran.
#include "flattener/compress.h"

#include "common/error.h"

#include <zlib.h>

#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace mogu::flatten {

namespace {

constexpr size_t kBlock = 1 << 20;
constexpr size_t kDict = 32 << 10;

struct Job {
    std::vector<unsigned char> in;
    std::vector<unsigned char> dict;
    bool last = false;
    std::vector<unsigned char> out;
    uint32_t crc = 0;
    std::string error;
    bool done = false;
};

class ParallelGzip : public ByteSink {
public:
    ParallelGzip(int level, int threads, ByteSink& out) : level_(level), out_(out) {
        if (level < 0 || level > 9) throw UsageError("gzip level must be 0..9, got {}", level);
        int n = threads < 1 ? 1 : threads;
        for (int i = 0; i < n; i++) workers_.emplace_back([this] { work(); });
        max_pending_ = static_cast<size_t>(2 * n + 1);
        const unsigned char header[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff};
        out_.write(header, sizeof header);
        cur_ = std::make_shared<Job>();
        cur_->in.reserve(kBlock);
    }

    ~ParallelGzip() override {
        {
            std::lock_guard lk(mu_);
            stop_ = true;
        }
        cv_work_.notify_all();
        for (auto& t : workers_) t.join();
    }

    void write(const void* data, size_t size) override {
        auto p = static_cast<const unsigned char*>(data);
        while (size > 0) {
            size_t n = std::min(size, kBlock - cur_->in.size());
            cur_->in.insert(cur_->in.end(), p, p + n);
            p += n;
            size -= n;
            if (cur_->in.size() == kBlock) submit(false);
        }
    }

    void finish() override {
        submit(true);
        while (!order_.empty()) drain_front(true);
        unsigned char trailer[8];
        for (int i = 0; i < 4; i++) trailer[i] = static_cast<unsigned char>(crc_ >> (8 * i));
        for (int i = 0; i < 4; i++) trailer[4 + i] = static_cast<unsigned char>(total_ >> (8 * i));
        out_.write(trailer, sizeof trailer);
        out_.finish();
    }

private:
    void submit(bool last) {
        auto job = cur_;
        job->last = last;
        job->dict = std::move(next_dict_);
        size_t keep = std::min(kDict, job->in.size());
        next_dict_.assign(job->in.end() - static_cast<ptrdiff_t>(keep), job->in.end());
        {
            std::lock_guard lk(mu_);
            queue_.push_back(job);
        }
        cv_work_.notify_one();
        order_.push_back(job);
        cur_ = std::make_shared<Job>();
        cur_->in.reserve(kBlock);
        // Write out what is ready; wait for the oldest when too much is in flight.
        while (!order_.empty() && drain_front(order_.size() >= max_pending_)) {
        }
    }

    // Writes the oldest job if it is done (waiting for it when `wait`); false when it was not done.
    bool drain_front(bool wait) {
        std::shared_ptr<Job> job = order_.front();
        {
            std::unique_lock lk(mu_);
            if (!job->done && !wait) return false;
            cv_done_.wait(lk, [&] { return job->done; });
        }
        if (!job->error.empty()) throw Error("gzip: {}", job->error);
        out_.write(job->out.data(), job->out.size());
        crc_ = static_cast<uint32_t>(crc32_combine(crc_, job->crc, static_cast<z_off_t>(job->in.size())));
        total_ += job->in.size();
        order_.pop_front();
        return true;
    }

    void work() {
        z_stream zs{};
        bool ready = deflateInit2(&zs, level_, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) == Z_OK;
        for (;;) {
            std::shared_ptr<Job> job;
            {
                std::unique_lock lk(mu_);
                cv_work_.wait(lk, [&] { return stop_ || !queue_.empty(); });
                if (queue_.empty()) break;
                job = queue_.front();
                queue_.pop_front();
            }
            if (!ready) job->error = "deflateInit2 failed";
            else compress(zs, *job);
            {
                std::lock_guard lk(mu_);
                job->done = true;
            }
            cv_done_.notify_all();
        }
        if (ready) deflateEnd(&zs);
    }

    void compress(z_stream& zs, Job& job) {
        job.crc = static_cast<uint32_t>(crc32(0, job.in.data(), static_cast<uInt>(job.in.size())));
        if (deflateReset(&zs) != Z_OK) {
            job.error = "deflateReset failed";
            return;
        }
        if (!job.dict.empty() &&
            deflateSetDictionary(&zs, job.dict.data(), static_cast<uInt>(job.dict.size())) != Z_OK) {
            job.error = "deflateSetDictionary failed";
            return;
        }
        job.out.resize(deflateBound(&zs, job.in.size()) + 16);
        zs.next_in = job.in.data();
        zs.avail_in = static_cast<uInt>(job.in.size());
        zs.next_out = job.out.data();
        zs.avail_out = static_cast<uInt>(job.out.size());
        int flush = job.last ? Z_FINISH : Z_SYNC_FLUSH;
        int rc = deflate(&zs, flush);
        bool ok = job.last ? rc == Z_STREAM_END : (rc == Z_OK && zs.avail_in == 0 && zs.avail_out > 0);
        if (!ok) {
            job.error = fmt::format("deflate failed ({})", rc);
            return;
        }
        job.out.resize(job.out.size() - zs.avail_out);
    }

    int level_;
    ByteSink& out_;
    std::vector<std::thread> workers_;
    std::mutex mu_;
    std::condition_variable cv_work_, cv_done_;
    std::deque<std::shared_ptr<Job>> queue_;  // waiting for a worker
    std::deque<std::shared_ptr<Job>> order_;  // submitted, not yet written, in stream order
    std::shared_ptr<Job> cur_;
    std::vector<unsigned char> next_dict_;
    size_t max_pending_;
    bool stop_ = false;
    uint32_t crc_ = 0;
    uint64_t total_ = 0;
};

}  // namespace

std::unique_ptr<ByteSink> make_parallel_gzip(int level, int threads, ByteSink& out) {
    return std::make_unique<ParallelGzip>(level, threads, out);
}

}  // namespace mogu::flatten
