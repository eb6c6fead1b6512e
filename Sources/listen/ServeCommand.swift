import ArgumentParser
import Dispatch
import Foundation
import Recognizer

struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve speech to text and wake words over the Wyoming protocol (Home Assistant's voice services).",
        discussion: """
            Answers describe with info (an ASR program whose model lists the vocabulary, and a wake \
            program with one model per wake word); transcribe + audio-start, audio-chunk…, audio-stop \
            with a transcript of the vocabulary's words; detect + audio chunks with a detection as each \
            wake word ends, and not-detected at audio-stop if none did. Audio of any rate, width and \
            channel count is converted to 16 kHz mono. A malformed, oversized or half-sent event closes \
            that client with an error event and a line on stderr; the server goes on. Ctrl-C or SIGTERM \
            stop it.

            Examples:
              listen serve                                   # tcp://127.0.0.1:10300, the default vocabulary
              listen serve --uri tcp://0.0.0.0:10300 --wake-word jarvis --vocabulary 'lights on,lights off'
              listen serve --uri unix:/run/user/1000/listen.sock
            """)

    @Option(help: "Where to listen: tcp://HOST:PORT or unix:PATH.")
    var uri = "tcp://127.0.0.1:10300"

    @Option(parsing: .singleValue, help: "A wake word or phrase to detect (repeat, or comma-separated); the vocabulary's words if absent.")
    var wakeWord: [String] = []

    @Option(help: "Clients served at once.")
    var maxClients = 16

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var mqttOptions: MQTTOptions

    func validate() throws {
        if !(1...1024).contains(maxClients) { throw ValidationError("--max-clients must be between 1 and 1024") }
    }

    func run() throws {
        let model = try modelOptions.load()
        let vocabulary = try modelOptions.vocabulary(for: model)
        let given = try wakeWordList(model)
        let wakeWords = given.isEmpty ? vocabulary.entries : given
        let offer = WyomingSession.Offer(vocabulary: vocabulary, wakeWords: wakeWords, modelName: model.metadata.name.isEmpty ? "listen" : model.metadata.name,
                                         version: Listen.configuration.version)
        let publisher = try mqttOptions.publisher()
        let server: WyomingServer
        do {
            server = try WyomingServer(uri: uri, maximumClients: maxClients, log: { StandardError.write("listen: \($0)") }) {
                try WyomingSession(model: model, offer: offer) { heard in
                    guard let publisher else { return }
                    switch heard {
                    case .transcript(let transcript):
                        publisher.publish(String(StreamingResults.record(transcript, file: nil, format: .jsonl, showsFile: false, time: Timestamp.now()).dropLast()))
                    case .detection(let word, let confidence, let milliseconds):
                        publisher.publish("{\"event\":\"detection\",\"time\":\(JSONText.quoted(Timestamp.now())),\"word\":\(JSONText.quoted(word)),"
                                          + "\"confidence\":\(String(format: "%.4f", confidence)),\"timestamp_ms\":\(milliseconds)}")
                    }
                }
            }
        } catch {
            StandardError.write("listen: \(error)")
            throw ExitCode.usage
        }
        let signals = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                StandardError.write("listen: stopping")
                server.stop()
            }
            source.resume()
            return source
        }
        defer { signals.forEach { $0.cancel() } }
        StandardError.write("listen: serving Wyoming on \(uri): speech to text of \(vocabulary.entries.count) words, wake words "
                            + (wakeWords.isEmpty ? "none" : wakeWords.joined(separator: ", ")))
        server.run()
        publisher?.close()
    }

    /// `--wake-word`s, each spellable; usage error otherwise.
    private func wakeWordList(_ model: AcousticModel) throws -> [String] {
        let words = wakeWord.flatMap { $0.split(separator: ",") }.map { Vocabulary.normalize(String($0)) }.filter { !$0.isEmpty }
        for word in words {
            do { try model.alphabet.checkSpellable(word) } catch {
                StandardError.write("listen: --wake-word: \(error)")
                throw ExitCode.usage
            }
        }
        var seen = Set<String>()
        return words.filter { seen.insert($0).inserted }
    }
}
