// Delivery threads (webhooks, mail) run below the threads that serve requests. Their work grows
// with the request load and can wait (the outbox keeps every event), while the request path's
// store writer is serial: a delivery thread holding a core when the writer wakes from a commit
// delays every request of the next batch. Measured on 2 cores with one webhook endpoint
// delivering: durable issuance at 0.84x of issuance without it at the default priority, about
// 0.9x at nice 10. SCHED_IDLE measured 0.95x but was refused: on a machine that other processes
// keep busy it starves delivery (a crash-recovery suite beside three CPU hogs lost its events),
// where nice 10 still gets a share.
#pragma once

namespace licensor {

/// Lowers the calling thread's CPU priority to nice 10 (Linux sets it per thread). Never fails:
/// where the system refuses, the thread keeps its priority.
void thread_priority_lower() noexcept;

}  // namespace licensor
