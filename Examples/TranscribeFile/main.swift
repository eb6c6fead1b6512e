// Transcribe audio files with the built-in model: the command words each one holds.
//   swift run TranscribeFile Examples/go_left.wav
import Audio
import Foundation
import Recognizer

let files = CommandLine.arguments.dropFirst()
guard !files.isEmpty else {
    print("usage: TranscribeFile FILE…")
    exit(2)
}
// The built-in model and listen's defaults: its 35 command words, [unk] for other speech.
let recognizer = try Recognizer(model: try ModelFile.bundled())
for file in files {
    do {
        let audio = try AudioDecoder.decode(file: file)  // any rate and channels, as 16 kHz mono
        let transcript = recognizer.transcribe(samples: audio.samples)
        print(file + ": " + transcript.text)
        for word in transcript.words {
            print(String(format: "  %@ %.2f–%.2f s, confidence %.2f", word.word, word.start, word.end, word.confidence))
        }
    } catch {
        print(error)  // names the file and what is wrong with it
    }
}
