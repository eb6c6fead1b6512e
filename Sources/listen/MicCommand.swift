import ArgumentParser
import Audio
import Dispatch
import Foundation
import Recognizer

/// `listen` / `listen mic`: recognises command words from a PulseAudio source as they are spoken.
struct MicCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mic",
        abstract: "Listen to a PulseAudio source and print each recognised command as it ends (the default command).",
        discussion: """
            The server resamples the source to 16 kHz mono. Utterances are found by energy against an \
            adaptive noise floor and decoded as soon as --endpoint-silence of quiet follows them. If the \
            server goes away, listen reports it and reconnects with back-off. With neither --hooks nor \
            --keyword, the hooks in $XDG_CONFIG_HOME/listen/hooks.json (~/.config/listen/hooks.json) \
            run when that file exists. Ctrl-C or SIGTERM stop \
            it after decoding the utterance in progress. Utterances with no accepted word print nothing \
            in text format and a record with empty text in jsonl.

            Examples:
              listen mic --device alsa_input.usb-… --format jsonl
              listen mic --keyword stop --exec /usr/bin/playerctl pause
              listen mic --hooks hooks.json --mqtt mqtt://localhost/home/listen
            """)

    @Option(help: "The PulseAudio source to record (see 'listen devices'); the server's default if absent.")
    var device: String?

    @Option(help: "Output format: text or jsonl (csv is accepted too).")
    var format: TranscribeCommand.Format = .text

    @Option(help: "Seconds of quiet that end an utterance.")
    var endpointSilence = 0.12

    @Option(help: "dB above the noise floor that counts as speech.")
    var speechMargin = 12.0

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var decoderOptions: DecoderOptions
    @OptionGroup var hookOptions: HookOptions
    @OptionGroup var mqttOptions: MQTTOptions

    func validate() throws {
        try hookOptions.check()
        if endpointSilence <= 0 { throw ValidationError("--endpoint-silence must be positive") }
    }

    func run() async throws {
        HeapReuse.returnFreedMemory()
        let model = try modelOptions.load()
        let hookConfiguration = try hookOptions.configuration(userDefault: true)
        let decoding = try decoderOptions.decoding(model: model, options: modelOptions, keywords: hookConfiguration?.keywords ?? [])
        let recognizer = try Recognizer(model: model, decoding: decoding, threadCount: 2, warps: modelOptions.warps)
        ResidentMemory.releaseCodePages()  // of parsing arguments and reading the model
        let output = LineWriter()
        // Hook events are JSON lines: on stdout among the records in jsonl, else on stderr.
        let hooks = hookConfiguration.map { hookOptions.runner($0, events: format == .jsonl ? output : LineWriter(handle: .standardError)) }
        let publisher = try mqttOptions.publisher()
        defer { publisher?.close() }
        var settings = Endpointer.Settings()
        settings.endSilence = endpointSilence
        settings.margin = speechMargin
        let capture = PulseCapture(device: device)
        let signals = Self.stopOnSignals(capture)
        defer { signals.forEach { $0.cancel() } }

        if format == .csv { output.write(StreamingResults.csvHeader) }
        var connectedBefore = false
        do {
            for try await event in LiveRecognizer(recognizer: recognizer, endpointing: settings).events(from: capture) {
                switch event {
                case .utterance(let transcript):
                    if format != .text || !transcript.text.isEmpty {
                        let record = StreamingResults.record(transcript, file: nil, format: format, showsFile: false, time: Timestamp.now())
                        output.write(String(record.dropLast()))
                    }
                    if let publisher, !transcript.text.isEmpty {
                        publisher.publish(String(StreamingResults.record(transcript, file: nil, format: .jsonl, showsFile: false, time: Timestamp.now()).dropLast()))
                    }
                    hooks?.process(transcript, source: nil, offset: 0)  // its words are on the capture's clock already
                case .connected(let source):
                    StandardError.write("listen: recording from \(source)")
                    // Set-up is over (the recognizer has warmed up before the first event).
                    if !connectedBefore { ResidentMemory.releaseCodePages() }
                    connectedBefore = true
                case .disconnected(let reason, let retry):
                    // The server answered, and has no such source: retrying cannot help.
                    if let device, reason.hasSuffix("No such entity") {
                        let sources = (try? PulseDevices.sources().map(\.name)) ?? []
                        StandardError.write("listen: there is no PulseAudio source '\(device)'"
                                            + (sources.isEmpty ? "" : "; the sources are: " + sources.joined(separator: ", ")))
                        capture.stop()
                        throw ExitCode.inputFailed
                    }
                    StandardError.write("listen: \(reason); retrying in \(retry) s")
                }
            }
        } catch let exit as ExitCode {
            throw exit
        } catch {
            StandardError.write("listen: \(error)")
        }
        if capture.droppedSamples > 0 {
            StandardError.write(String(format: "listen: %.1f s of audio were dropped because recognition fell behind", Double(capture.droppedSamples) / 16000))
        }
        hooks?.waitForActions()
    }

    /// SIGINT and SIGTERM stop the capture; the stream then ends and the last utterance is decoded.
    static func stopOnSignals(_ capture: PulseCapture) -> [DispatchSourceSignal] {
        [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                if !capture.isStopping { StandardError.write("listen: stopping") }
                capture.stop()
            }
            source.resume()
            return source
        }
    }
}

/// `listen devices`: the capture sources the PulseAudio server offers.
struct DevicesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devices",
        abstract: "List PulseAudio capture sources: name, description, sample rate, channels.",
        discussion: """
            Examples:
              listen devices
              listen devices --json
            """)

    @Flag(help: "Print JSON lines instead of a table.")
    var json = false

    func run() throws {
        let sources: [AudioSource]
        do {
            sources = try PulseDevices.sources()
        } catch {
            StandardError.write("listen: \(error) (is a PulseAudio or PipeWire-pulse server running? see README, Troubleshooting)")
            throw ExitCode.inputFailed
        }
        for source in sources {
            if json {
                print("{\"name\":\(JSONText.quoted(source.name)),\"description\":\(JSONText.quoted(source.description)),"
                      + "\"rate\":\(source.sampleRate),\"channels\":\(source.channelCount),\"monitor\":\(source.isMonitor)}")
            } else {
                print("\(source.name)\t\(source.description)\t\(source.sampleRate) Hz\t\(source.channelCount) ch\(source.isMonitor ? "\tmonitor" : "")")
            }
        }
    }
}
