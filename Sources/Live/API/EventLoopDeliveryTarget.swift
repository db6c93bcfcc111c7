import LiveKafka
import NIOCore
import NIOPosix

/// Resumes a request's task on the event loop it produced from, which serves its connection (see
/// `DeliveryTarget`). Nil outside an event loop, e.g. in tests that call the router directly.
struct EventLoopDeliveryTarget: DeliveryTarget {
    let loop: any EventLoop

    static var current: EventLoopDeliveryTarget? {
        MultiThreadedEventLoopGroup.currentEventLoop.map(EventLoopDeliveryTarget.init)
    }

    func schedule(_ resume: @escaping @Sendable () -> Void) {
        loop.execute(resume)
    }
}
