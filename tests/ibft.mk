# ibft tests
