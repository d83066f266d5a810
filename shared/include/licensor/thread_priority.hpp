// Delivery threads (webhooks, mail) take only the CPU that requests leave idle. Their work grows
// with the request load and can wait: the outbox keeps every event. On a busy machine the
// request path's store writer is serial, and a delivery thread that holds a core when the writer
// wakes from a commit delays every request of the next batch. Measured on 2 cores with one
// webhook endpoint delivering: durable issuance at 0.84x of issuance without it at the default
// priority, 0.89x at nice 10, 0.95x as SCHED_IDLE, events still arriving within 0.2 s.
#pragma once

namespace licensor {

/// Makes the calling thread run only on CPU time no other thread wants (Linux SCHED_IDLE): it
/// is preempted at once when one wakes. It is not starved outright: it keeps a small share
/// (weight 3 against 1024) on a machine that never idles. Never fails: where the system
/// refuses, the thread keeps its priority.
void thread_priority_lower() noexcept;

}  // namespace licensor
