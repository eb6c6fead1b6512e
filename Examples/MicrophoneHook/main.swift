// Listen to the microphone and run a program when a keyword is heard.
//   swift run MicrophoneHook stop /usr/bin/notify-send "heard stop"
import Audio
import Foundation
import Recognizer

let arguments = Array(CommandLine.arguments.dropFirst())
guard arguments.count >= 2 else {
    print("usage: MicrophoneHook KEYWORD PROGRAM [ARGUMENTS…]")
    exit(2)
}
/// Prints a line at once (print's output waits in a buffer when it goes into a pipe).
@Sendable func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

let model = try ModelFile.bundled()
// The keyword joins the model's vocabulary, so the decoder listens for it.
let vocabulary = try Vocabulary(model.defaultVocabulary + [arguments[0]])
let recognizer = try Recognizer(model: model, decoding: .vocabulary(vocabulary), threadCount: 2)

// The action runs as argv (no shell), with the recognition in LISTEN_* environment variables.
let hooks = HookConfiguration(hooks: [.init(keyword: arguments[0], threshold: 0.5, cooldown: 2, action: Array(arguments.dropFirst()))])
let runner = HookRunner(configuration: hooks) { event in say(event.jsonLine) }

let capture = PulseCapture()  // the default PulseAudio (or PipeWire) source, at 16 kHz mono
signal(SIGINT, SIG_IGN)
let stop = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
stop.setEventHandler { capture.stop() }  // Ctrl-C: the utterance in progress is still recognised
stop.resume()

for try await event in LiveRecognizer(recognizer: recognizer).events(from: capture) {
    switch event {
    case .utterance(let transcript):
        if !transcript.text.isEmpty { say(transcript.text) }
        runner.process(transcript, source: nil, offset: 0)  // its words are on the capture's clock
    case .connected(let source): say("listening to \(source)")
    case .disconnected(let reason, let retry): say("\(reason); retrying in \(retry) s")
    }
}
runner.waitForActions()
