import HTTPTypes
import Hummingbird
import HummingbirdCore
import NIOCore
import NIOHTTPTypes

extension StatusAPI {
    /// The HTTP/1.1 server `statusctl serve` runs: a connection that sends nothing for
    /// `idleTimeoutSeconds` is closed (between requests, or partway through its headers), and
    /// one whose answer says `Connection: close` (a 408 for a body still dripping at its
    /// deadline) is closed as soon as the answer is written.
    public static func server(idleTimeoutSeconds: Int) -> HTTPServerBuilder {
        .http1(configuration: .init(additionalChannelHandlers: [CloseAfterAnswer()],
                                    idleTimeout: .seconds(Int64(idleTimeoutSeconds))))
    }
}

/// Closes the connection once an answer carrying `Connection: close` has been written. Without
/// it the server reads whatever is left of a refused request's body before it looks for the next
/// request, and every byte of it counts as activity: a client dripping an upload that got 408
/// would keep its connection for as long as it drips.
final class CloseAfterAnswer: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private var closeAtEnd = false

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let head):
            closeAtEnd = head.headerFields[.connection]?.lowercased() == "close"
            context.write(data, promise: promise)
        case .body:
            context.write(data, promise: promise)
        case .end:
            guard closeAtEnd else {
                context.write(data, promise: promise)
                return
            }
            context.writeAndFlush(data, promise: promise)
            context.close(promise: nil)
        }
    }
}
