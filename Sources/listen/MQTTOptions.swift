import ArgumentParser
import Foundation
import Recognizer

/// `--mqtt URL`: publish every transcript, detection and hook event as a JSON line to a topic.
struct MQTTOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Also publish every result as a JSON line to an MQTT broker: mqtt://[user[:password]@]host[:port]/topic (LISTEN_MQTT_USERNAME and LISTEN_MQTT_PASSWORD are read when the URL has none).",
                               valueName: "url"))
    var mqtt: String?

    func validate() throws {
        if let mqtt {
            do { _ = try MQTTPublisher.Destination(url: mqtt) } catch { throw ValidationError("--mqtt: \(error)") }
        }
    }

    /// The publisher, connecting in the background, or nil without `--mqtt`.
    func publisher() throws -> MQTTPublisher? {
        guard let mqtt else { return nil }
        let destination = try MQTTPublisher.Destination(url: mqtt)
        return MQTTPublisher(destination: destination) { StandardError.write("listen: \($0)") }
    }
}
