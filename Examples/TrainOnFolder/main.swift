// Train a small model on a folder of your own clips, in the Speech Commands layout
// (FOLDER/lights_on/*.wav, FOLDER/none/*.wav for noise), and write it to a model file.
//   swift run -c release TrainOnFolder my-clips mine.lstn
//   listen --model mine.lstn
import Foundation
import Recognizer

let arguments = Array(CommandLine.arguments.dropFirst())
guard arguments.count == 2 else {
    print("usage: TrainOnFolder FOLDER OUTPUT.lstn")
    exit(2)
}
var configuration = TrainingConfiguration()
configuration.folders = [arguments[0]]
configuration.vocabulary = try LabelledData.folder(arguments[0]).compactMap(\.transcript).filter { !$0.isEmpty }
    .reduce(into: []) { words, word in if !words.contains(word) { words.append(word) } }
(configuration.hiddenSize, configuration.epochs, configuration.batchSize) = (64, 100, 4)
(configuration.noiseMix, configuration.stretch) = (0.3, 0.1)  // noise from the folder's clips without words

// Checkpoints go to OUTPUT.run; running the program again resumes there.
let run = TrainingRun(configuration: configuration, checkpoints: arguments[1] + ".run")
var model = try run.run { event in
    switch event {
    case .skipped(let path, let reason): print("skipping \(path): \(reason)")
    case .epochFinished(let epoch) where epoch.epoch % 10 == 0:
        print(String(format: "epoch %d/%d: loss %.3f", epoch.epoch, epoch.epochs, epoch.loss ?? .nan))
    default: break
    }
}
model.metadata.name = (arguments[1] as NSString).lastPathComponent
try ModelFile.write(model, to: arguments[1])
print("wrote \(arguments[1]): \(configuration.vocabulary.joined(separator: ", "))")
