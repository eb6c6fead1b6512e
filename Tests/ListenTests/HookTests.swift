import Foundation
import Recognizer
import TestSupport
import Testing

@Suite("Keyword hooks on the command line", .serialized)
struct HookTests {
    @Test("A bad hooks file is a usage error naming the file")
    func badHooksFile() throws {
        let folder = try Fixtures.scratchFolder().path
        try Data("{\"hooks\": [{\"keyword\": \"yes\", \"action\": []}]}".utf8).write(to: URL(fileURLWithPath: folder + "/hooks.json"))
        let result = try ListenProcess.run(["transcribe", "--hooks", folder + "/hooks.json", Fixtures.packageRoot.path + "/Examples/yes.wav"])
        #expect(result.status == 2)
        #expect(result.standardError.contains("hooks.json: hook 1 has an empty action"))
    }
}

@Suite("Hooks over files (end to end)")
struct FileHookTests {
    @Test("A misspelt field, a missing or non-executable program is a usage error at start, naming the problem; added keywords are said")
    func refusedAtStart() throws {
        let folder = try Fixtures.scratchFolder().path, clip = Fixtures.packageRoot.path + "/Examples/stop.wav"
        FileManager.default.createFile(atPath: folder + "/plain.txt", contents: Data("not a program".utf8), attributes: [.posixPermissions: 0o644])
        let cases = [("{\"hooks\":[{\"keyword\":\"stop\",\"treshold\":0.5,\"action\":[\"/bin/true\"]}]}", "hook 1 has an unknown field 'treshold'"),
                     ("{\"hooks\":[],\"max_concurent\":2}", "unknown field 'max_concurent'"),
                     ("{\"hooks\":[{\"keyword\":\"stop\",\"action\":[\"\(folder)/missing\"]}]}", "hook 1: program '\(folder)/missing' does not exist"),
                     ("{\"hooks\":[{\"keyword\":\"stop\",\"action\":[\"\(folder)/plain.txt\"]}]}", "is not executable")]
        for (number, (json, message)) in cases.enumerated() {
            try json.write(toFile: "\(folder)/hooks\(number).json", atomically: true, encoding: .utf8)
            let result = try ListenProcess.run(["transcribe", clip, "--hooks", "\(folder)/hooks\(number).json"])
            #expect(result.status == 2 && result.standardError.contains(message), "\(result.standardError)")
        }
        let quick = try ListenProcess.run(["transcribe", clip, "--keyword", "stop", "--exec", "no-such-program-anywhere"])
        #expect(quick.status == 2 && quick.standardError.contains("--exec: program 'no-such-program-anywhere' does not exist"))
        for arguments in [["transcribe", clip, "--exec", "/bin/true", "--keyword", "stop"], ["transcribe", "--exec", "/bin/true", "--keyword", "stop", clip]] {
            let late = try ListenProcess.run(arguments)
            #expect(late.status == 2 && late.standardError.contains("put --keyword and the other options before it"), "\(late.standardError)")
        }
        let added = try ListenProcess.run(["transcribe", clip, "--keyword", "lights on", "--dry-run", "--exec", "/bin/true"])
        #expect(added.status == 0 && added.standardError.contains("listening for the hook keywords too: lights on"), "\(added.standardError)")
    }

    @Test("A hook keyword joins the decoding vocabulary; one the model cannot spell is a usage error")
    func keywordJoinsVocabulary() throws {
        let clip = Fixtures.packageRoot.path + "/Examples/stop.wav"
        let heard = try ListenProcess.run(["transcribe", clip, "--vocabulary", "yes,no", "--keyword", "stop", "--threshold", "0",
                                           "--dry-run", "--exec", "/bin/true"])
        #expect(heard.status == 0, "\(heard.standardError)")
        #expect(heard.output == "stop\n" && heard.standardError.contains("\"event\":\"dry_run\""), "\(heard.output)")
        let unspellable = try ListenProcess.run(["transcribe", clip, "--keyword", "café", "--exec", "/bin/true"])
        #expect(unspellable.status == 2)
        #expect(unspellable.standardError.contains("'café' contains 'é', which the model cannot spell"))
        #expect(!unspellable.standardError.contains("listening for"), "an unspellable keyword is not announced: \(unspellable.standardError)")
    }

    @Test("transcribe --keyword runs the action with the recognised text; --dry-run only reports it")
    func quickForm() throws {
        let folder = try Fixtures.scratchFolder().path
        let clip = Fixtures.packageRoot.path + "/Examples/stop.wav"
        let script = "import os,sys; open(sys.argv[1],'w').write(os.environ['LISTEN_TEXT'] + '|' + os.environ['LISTEN_WORD'])"
        let result = try ListenProcess.run(["transcribe", "--format", "jsonl", clip, "--keyword", "stop", "--threshold", "0",
                                            "--exec", "/usr/bin/python3", "-c", script, folder + "/heard"])
        #expect(result.status == 0, "\(result.standardError)")
        let events = result.output.split(separator: "\n").compactMap { line -> String? in
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            return object?["event"] as? String
        }
        #expect(events == ["detection", "action_started", "action_finished"], "\(result.output)")
        #expect(try String(contentsOfFile: folder + "/heard", encoding: .utf8) == "stop|stop")
        let dry = try ListenProcess.run(["transcribe", clip, "--keyword", "stop", "--threshold", "0", "--dry-run",
                                         "--exec", "/usr/bin/touch", folder + "/touched"])
        // Not jsonl: the events go to stderr, and stdout holds only the text records.
        #expect(dry.status == 0 && dry.standardError.contains("\"event\":\"dry_run\"") && dry.output == "stop\n", "\(dry.output)")
        let csv = try ListenProcess.run(["transcribe", clip, "--format", "csv", "--keyword", "stop", "--threshold", "0", "--dry-run",
                                         "--exec", "/usr/bin/touch", folder + "/touched"])
        #expect(csv.output.split(separator: "\n").allSatisfy { !$0.contains("\"event\"") } && csv.standardError.contains("\"event\":\"detection\""))
        #expect(!FileManager.default.fileExists(atPath: folder + "/touched"))
    }
}
